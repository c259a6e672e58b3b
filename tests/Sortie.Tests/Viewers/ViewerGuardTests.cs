using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using System.Net.WebSockets;
using Sortie.Audit;
using Sortie.Data;
using Sortie.Events;
using Sortie.Sessions;
using Sortie.Sharing;
using Sortie.Viewers;

namespace Sortie.Tests.Viewers;

/// <summary>Access taken away ends live connections at once, with a reason; owners see who watches.</summary>
public sealed class ViewerGuardTests(SortieServer server) : IClassFixture<SortieServer>
{
    private async Task<(ApiClient Owner, SessionDto Session, ApiClient Viewer, ShareDto Share)> SharedAsync(
        SharePermission permission = SharePermission.ReadOnly)
    {
        var owner = await server.NewUserAsync();
        var session = await owner.LaunchDesktopAsync(320, 240);
        var viewer = await server.NewUserAsync();
        return (owner, session, viewer, await owner.InviteAsync(session.Id, viewer.User.Username, permission));
    }

    [Fact]
    public async Task The_owner_and_two_viewers_watch_at_once_and_no_one_asking_for_the_desktop_alone_disconnects_another()
    {
        var (owner, session, watcher, _) = await SharedAsync(SharePermission.ReadOnly);
        var helper = await server.NewUserAsync();
        await owner.InviteAsync(session.Id, helper.User.Username, SharePermission.ReadWrite);

        // Each asks for the desktop exclusively (ClientInit shared = 0); the gateway makes every viewer shared.
        await using var ownerView = await owner.ViewAsync(session.Id, shared: false);
        await using var watcherView = await watcher.ViewAsync(session.Id, shared: false);
        await using var helperView = await helper.ViewAsync(session.Id, shared: false);

        foreach (var view in new[] { ownerView, watcherView, helperView })
            await view.WaitForPictureAsync(f => f.CountDistinctColours() > 1, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var watching = await owner.GetAsync<List<ViewerDto>>($"/api/sessions/{session.Id}/viewers");
        Assert.Equal(3, watching.Count);
    }

    [Fact]
    public async Task Revoking_a_share_closes_its_live_viewer_within_a_second()
    {
        var (owner, session, viewer, share) = await SharedAsync();
        using var view = await viewer.ConnectAsync(session.Id);

        var (close, took) = await view.ClosedByAsync(() => owner.Http.DeleteAsync($"/api/sessions/{session.Id}/shares/{share.Id}"));

        Assert.Equal((4001, "access revoked"), close);
        Assert.True(took < TimeSpan.FromSeconds(1), $"took {took}");
        Assert.Equal(HttpStatusCode.NotFound, await viewer.UpgradeStatusAsync(session.Id));
    }

    [Fact]
    public async Task A_viewer_through_a_link_is_closed_when_the_link_expires_not_at_the_next_recheck()
    {
        var owner = await server.NewUserAsync();
        var session = await owner.LaunchDesktopAsync(320, 240);
        var guest = await server.NewUserAsync();
        var link = await owner.CreateLinkAsync(session.Id, expiresIn: 2);
        (await guest.JoinAsync(link.ShareUrl!)).EnsureSuccessStatusCode();
        using var view = await guest.ConnectAsync(session.Id);

        var close = await view.WaitForCloseAsync(TimeSpan.FromSeconds(5));
        var late = DateTime.UtcNow - link.ExpiresAt!.Value;

        Assert.Equal((4001, "access revoked"), close);
        Assert.True(late < TimeSpan.FromSeconds(1), $"closed {late.TotalMilliseconds:0} ms after the link expired");
    }

    [Fact]
    public async Task Changing_a_permission_closes_the_viewer_who_reconnects_at_once_with_the_new_one()
    {
        var (owner, session, viewer, share) = await SharedAsync(SharePermission.ReadWrite);
        using var view = await viewer.ConnectAsync(session.Id);

        var (close, took) = await view.ClosedByAsync(() => owner.ChangeShareAsync(session.Id, share.Id, SharePermission.ReadOnly));

        Assert.Equal((4002, "permission changed"), close);
        Assert.True(took < TimeSpan.FromSeconds(1), $"took {took}");
        using var again = await viewer.ConnectAsync(session.Id);
        var watching = await owner.GetAsync<List<ViewerDto>>($"/api/sessions/{session.Id}/viewers");
        Assert.Equal(SharePermission.ReadOnly, Assert.Single(watching).Permission);
    }

    [Fact]
    public async Task Terminating_the_session_closes_every_viewer_within_a_second()
    {
        var (owner, session, viewer, _) = await SharedAsync();
        using var view = await viewer.ConnectAsync(session.Id);

        var (close, took) = await view.ClosedByAsync(() => owner.Http.DeleteAsync($"/api/sessions/{session.Id}"));

        Assert.Equal((4000, "session ended"), close);
        Assert.True(took < TimeSpan.FromSeconds(1), $"took {took}");
    }

    [Fact]
    public async Task Deleting_a_user_closes_their_live_connections()
    {
        var (_, session, viewer, _) = await SharedAsync();
        using var admin = await server.AdminAsync();
        using var view = await viewer.ConnectAsync(session.Id);

        var (close, took) = await view.ClosedByAsync(() => admin.Http.DeleteAsync($"/api/admin/users/{viewer.User.Id}"));

        Assert.Equal((4001, "access revoked"), close);
        Assert.True(took < TimeSpan.FromSeconds(1), $"took {took}");
    }

    [Fact]
    public async Task Revoking_a_link_closes_everyone_who_joined_through_it_and_no_one_else()
    {
        var (owner, session, invited, _) = await SharedAsync();
        using var joiner = await server.NewUserAsync();
        var link = await owner.CreateLinkAsync(session.Id);
        await joiner.JoinAsync(link.ShareUrl!);
        using var joinerView = await joiner.ConnectAsync(session.Id);
        using var invitedView = await invited.ConnectAsync(session.Id);

        var (close, _) = await joinerView.ClosedByAsync(() => owner.Http.DeleteAsync($"/api/sessions/{session.Id}/shares/{link.Id}"));

        Assert.Equal((4001, "access revoked"), close);
        Assert.Equal(WebSocketState.Open, invitedView.State);
        Assert.Equal([invited.User.Username], (await owner.GetAsync<List<ViewerDto>>($"/api/sessions/{session.Id}/viewers")).Select(v => v.User));
    }

    [Fact]
    public async Task The_owner_sees_who_is_watching_and_how_they_came()
    {
        var (owner, session, invited, _) = await SharedAsync(SharePermission.ReadWrite);
        using var joiner = await server.NewUserAsync();
        await joiner.JoinAsync((await owner.CreateLinkAsync(session.Id)).ShareUrl!);
        using var admin = await server.NewUserAsync(UserRole.Admin);
        var before = DateTime.UtcNow.AddSeconds(-1);
        using var a = await owner.ConnectAsync(session.Id);
        using var b = await invited.ConnectAsync(session.Id);
        using var c = await joiner.ConnectAsync(session.Id);
        using var d = await admin.ConnectAsync(session.Id);

        var watching = await owner.GetAsync<List<ViewerDto>>($"/api/sessions/{session.Id}/viewers");

        Assert.Equal(
            [(owner.User.Username, AccessVia.Owner, SharePermission.ReadWrite), (invited.User.Username, AccessVia.Share, SharePermission.ReadWrite),
             (joiner.User.Username, AccessVia.Link, SharePermission.ReadOnly), (admin.User.Username, AccessVia.Admin, SharePermission.ReadWrite)],
            watching.Select(v => (v.User, v.Via, v.Permission)));
        Assert.All(watching, v => Assert.InRange(v.ConnectedAt, before, DateTime.UtcNow));
        Assert.Equal(4, (await admin.GetAsync<List<ViewerDto>>($"/api/sessions/{session.Id}/viewers")).Count);
    }

    [Fact]
    public async Task Only_the_owner_or_an_admin_sees_the_viewers()
    {
        var (_, session, viewer, _) = await SharedAsync();
        using var stranger = await server.NewUserAsync();
        await ProblemAssert.IsProblemAsync(await viewer.Http.GetAsync($"/api/sessions/{session.Id}/viewers", TestContext.Current.CancellationToken), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await stranger.Http.GetAsync($"/api/sessions/{session.Id}/viewers", TestContext.Current.CancellationToken), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous().Http.GetAsync($"/api/sessions/{session.Id}/viewers", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task The_owner_is_told_when_someone_joins_or_leaves_and_a_stranger_is_told_nothing()
    {
        var (owner, session, viewer, _) = await SharedAsync();
        using var stranger = await server.NewUserAsync();
        await using var ownerEvents = await EventStream.OpenAsync(owner);
        await using var strangerEvents = await EventStream.OpenAsync(stranger);
        bool ViewersOfSession(PortalEvent e) => e.Type == PortalEvent.ViewersChanged && e.SessionId == session.Id;

        var view = await viewer.ConnectAsync(session.Id);
        Assert.NotNull(await ownerEvents.NextAsync(ViewersOfSession));
        await view.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        view.Dispose();
        Assert.NotNull(await ownerEvents.NextAsync(ViewersOfSession));

        Assert.Null(await strangerEvents.NextAsync(e => e.SessionId == session.Id, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task A_shared_user_is_told_when_their_share_is_revoked()
    {
        var (owner, session, viewer, share) = await SharedAsync();
        await using var events = await EventStream.OpenAsync(viewer);

        await owner.Http.DeleteAsync($"/api/sessions/{session.Id}/shares/{share.Id}", TestContext.Current.CancellationToken);

        Assert.NotNull(await events.NextAsync(e => e.Type == PortalEvent.SharesChanged && e.SessionId == session.Id));
    }

    [Fact]
    public async Task Each_connect_and_disconnect_is_in_the_audit_log()
    {
        var (owner, session, viewer, share) = await SharedAsync();
        var view = await viewer.ConnectAsync(session.Id);
        await view.ClosedByAsync(() => owner.Http.DeleteAsync($"/api/sessions/{session.Id}/shares/{share.Id}"));
        view.Dispose();

        List<AuditEventDto> events = [];
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            events = await owner.GetAsync<List<AuditEventDto>>($"/api/sessions/{session.Id}/audit");
            return events.Any(e => e.Action == AuditActions.ViewerDisconnected);
        }));
        var connected = events.Single(e => e.Action == AuditActions.ViewerConnected);
        var disconnected = events.Single(e => e.Action == AuditActions.ViewerDisconnected);
        Assert.Equal((viewer.User.Username, share.Id, "share, read_only"), (connected.ActorName, connected.ShareId, connected.Detail));
        Assert.StartsWith("access revoked", disconnected.Detail);
    }
}

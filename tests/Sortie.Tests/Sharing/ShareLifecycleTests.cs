using Microsoft.Extensions.DependencyInjection;
using Sortie.Audit;
using Sortie.Data;
using Sortie.Sessions;
using Sortie.Sharing;

namespace Sortie.Tests.Sharing;

/// <summary>How shares end: with their session, with their user, when a user leaves; and the audit log of it all.</summary>
public sealed class ShareLifecycleTests(NoDesktopServer server) : IClassFixture<NoDesktopServer>
{
    [Fact]
    public async Task Terminating_a_session_removes_its_shares_and_links()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var bob = await server.NewUserAsync();
        using var carol = await server.NewUserAsync();
        await owner.InviteAsync(session.Id, bob.User.Username);
        var link = await owner.CreateLinkAsync(session.Id);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken)).StatusCode);

        Assert.Empty(await bob.GetAsync<List<SessionDto>>("/api/sessions/shared"));
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Http.GetAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken)).StatusCode);
        await ProblemAssert.IsProblemAsync(await carol.JoinAsync(link.ShareUrl!), HttpStatusCode.NotFound);
        Assert.Empty(await owner.GetAsync<List<ShareDto>>($"/api/sessions/{session.Id}/shares"));
    }

    [Fact]
    public async Task Deleting_a_user_removes_the_shares_they_hold()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var admin = await server.AdminAsync();
        var bob = await server.NewUserAsync();
        await owner.InviteAsync(session.Id, bob.User.Username);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/admin/users/{bob.User.Id}", TestContext.Current.CancellationToken)).StatusCode);

        Assert.Empty(await owner.GetAsync<List<ShareDto>>($"/api/sessions/{session.Id}/shares"));
    }

    [Fact]
    public async Task A_shared_user_removes_the_session_from_their_list_and_with_it_their_access()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var bob = await server.NewUserAsync();
        await owner.InviteAsync(session.Id, bob.User.Username);

        Assert.Equal(HttpStatusCode.NoContent, (await bob.Http.DeleteAsync($"/api/sessions/shared/{session.Id}", TestContext.Current.CancellationToken)).StatusCode);

        Assert.Empty(await bob.GetAsync<List<SessionDto>>("/api/sessions/shared"));
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Http.GetAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Empty(await owner.GetAsync<List<ShareDto>>($"/api/sessions/{session.Id}/shares"));
        await ProblemAssert.IsProblemAsync(await bob.Http.DeleteAsync($"/api/sessions/shared/{session.Id}", TestContext.Current.CancellationToken), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_owner_cannot_leave_their_own_session_as_if_shared()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        await ProblemAssert.IsProblemAsync(await owner.Http.DeleteAsync($"/api/sessions/shared/{session.Id}", TestContext.Current.CancellationToken), HttpStatusCode.NotFound);
        Assert.Equal(SessionStatus.Running, (await owner.GetAsync<SessionDto>($"/api/sessions/{session.Id}")).Status);
    }

    [Fact]
    public async Task The_shared_list_never_shows_a_terminated_session()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        var (_, other) = await server.NewRunningSessionAsync();
        using var bob = await server.NewUserAsync();
        await owner.InviteAsync(session.Id, bob.User.Username);
        using var admin = await server.AdminAsync();
        await admin.InviteAsync(other.Id, bob.User.Username);

        await owner.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);

        var shared = Assert.Single(await bob.GetAsync<List<SessionDto>>("/api/sessions/shared"));
        Assert.Equal((other.Id, SessionStatus.Running), (shared.Id, shared.Status));
    }

    [Fact]
    public async Task Every_share_event_is_in_the_audit_log_with_who_what_when_and_from_where()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var bob = await server.NewUserAsync();
        using var carol = await server.NewUserAsync();
        var started = server.Clock.GetUtcNow().UtcDateTime.AddSeconds(-1);
        var invite = await owner.InviteAsync(session.Id, bob.User.Username);
        await owner.ChangeShareAsync(session.Id, invite.Id, SharePermission.ReadWrite);
        await owner.Http.DeleteAsync($"/api/sessions/{session.Id}/shares/{invite.Id}", TestContext.Current.CancellationToken);
        var link = await owner.CreateLinkAsync(session.Id, expiresIn: 1);
        await ApiClient.ReadAsync<SessionDto>(await carol.JoinAsync(link.ShareUrl!));
        server.Clock.Advance(TimeSpan.FromSeconds(1.1));
        await server.Services.GetRequiredService<SharingService>().SweepExpiredLinksAsync(CancellationToken.None);

        var events = await owner.GetAsync<List<AuditEventDto>>($"/api/sessions/{session.Id}/audit");

        string[] expected = [AuditActions.ShareCreated, AuditActions.ShareChanged, AuditActions.ShareRevoked,
            AuditActions.ShareCreated, AuditActions.ShareJoined, AuditActions.ShareExpired];
        Assert.Equal(expected, events.Select(e => e.Action).Reverse());
        Assert.All(events, e => Assert.InRange(e.At, started, server.Clock.GetUtcNow().UtcDateTime.AddSeconds(1)));
        var changed = events.Single(e => e.Action == AuditActions.ShareChanged);
        Assert.Equal((owner.User.Username, bob.User.Username, "read_only -> read_write", "127.0.0.1"),
            (changed.ActorName, changed.Subject, changed.Detail, changed.Address));
        Assert.Equal(carol.User.Username, events.Single(e => e.Action == AuditActions.ShareJoined).ActorName);

        using var admin = await server.AdminAsync();
        var all = await admin.GetAsync<List<AuditEventDto>>("/api/admin/audit?limit=500");
        Assert.Superset(events.Select(e => e.Id).ToHashSet(), all.Select(e => e.Id).ToHashSet());
    }
}

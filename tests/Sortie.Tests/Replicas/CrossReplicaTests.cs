using Sortie.Auth;
using Sortie.Data;
using Sortie.Events;
using Sortie.Sessions;
using Sortie.Platform;
using Sortie.Viewers;

namespace Sortie.Tests.Replicas;

/// <summary>
/// A user may be served by either replica from one request to the next: what is given or taken away through one
/// holds at once through the other.
/// </summary>
public sealed class CrossReplicaTests(TwoReplicas replicas) : IClassFixture<TwoReplicas>
{
    [Fact]
    public async Task The_per_user_session_limit_holds_across_replicas_when_launches_race()
    {
        using var user = await replicas.NewUserAsync();
        using var onB = replicas.OnB(user);
        var app = await user.AppAsync("desktop");
        const int Limit = 5; // SORTIE_MAX_SESSIONS_PER_USER's default

        // Rounds of 12 launches at once, half through each replica, each round starting from none.
        for (var round = 0; round < 2; round++)
        {
            using var start = new SemaphoreSlim(0);
            var launches = Enumerable.Range(0, 12).Select(async i =>
            {
                await start.WaitAsync();
                return await (i % 2 == 0 ? user : onB).PostAsync("/api/sessions", new CreateSessionRequest(app.Id, 320, 240));
            }).ToList();
            start.Release(launches.Count);
            var statuses = (await Task.WhenAll(launches)).Select(r => r.StatusCode).ToList();

            Assert.Equal(Limit, statuses.Count(s => s == HttpStatusCode.Created));
            Assert.Equal(12 - Limit, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
            var live = await user.GetAsync<List<SessionDto>>("/api/sessions");
            Assert.Equal(Limit, live.Count);
            foreach (var session in live) await user.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_token_or_cookie_issued_by_one_replica_is_accepted_by_the_other()
    {
        using var user = await replicas.NewUserAsync();
        using var onB = replicas.OnB(user);
        Assert.Equal(user.User.Id, (await onB.GetAsync<UserDto>("/api/auth/me")).Id);

        // The browser's cookie, sealed by A's data-protection keys, opened by B.
        using var browser = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = replicas.A.BaseUri };
        using var login = await browser.PostAsJsonAsync("/api/auth/login", new LoginRequest(user.User.Username, $"{user.User.Username}-password"), SortieJson.Options, TestContext.Current.CancellationToken);
        login.EnsureSuccessStatusCode();
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(AuthSetup.CookieName + "="));
        using var me = new HttpRequestMessage(HttpMethod.Get, new Uri(replicas.B.BaseUri, "/api/auth/me"));
        me.Headers.Add("Cookie", cookie.Split(';')[0]);
        using var answer = await browser.SendAsync(me, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(user.User.Id, (await ApiClient.ReadAsync<UserDto>(answer)).Id);
    }

    [Fact]
    public async Task A_session_started_and_shared_on_one_replica_is_joined_and_watched_through_the_other()
    {
        using var owner = await replicas.NewUserAsync();
        var session = await owner.LaunchDesktopAsync(320, 240);
        var link = await owner.CreateLinkAsync(session.Id, SharePermission.ReadOnly);
        await using var ownerEvents = await EventStream.OpenAsync(owner);
        using var guest = await replicas.NewUserAsync();
        using var guestOnB = replicas.OnB(guest);

        using (var joined = await guestOnB.JoinAsync(link.ShareUrl!))
            Assert.Equal(HttpStatusCode.OK, joined.StatusCode);
        var shared = Assert.Single(await guestOnB.GetAsync<List<SessionDto>>("/api/sessions/shared"));
        Assert.Equal((session.Id, SharePermission.ReadOnly), (shared.Id, shared.SharePermission));

        // B reaches the pod A started, and the owner (on A) is told that someone watches now.
        await using var view = await guestOnB.ViewAsync(session.Id);
        Assert.Equal((320, 240), (view.Framebuffer.Width, view.Framebuffer.Height));
        await view.WaitForPictureAsync(f => f.CountDistinctColours() > 1, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.NotNull(await ownerEvents.NextAsync(e => e.Type == PortalEvent.ViewersChanged && e.SessionId == session.Id));
        var watching = Assert.Single(await owner.GetAsync<List<ViewerDto>>($"/api/sessions/{session.Id}/viewers"));
        Assert.Equal((guest.User.Username, AccessVia.Link, SharePermission.ReadOnly), (watching.User, watching.Via, watching.Permission));

        await view.DisposeAsync();
        Assert.NotNull(await ownerEvents.NextAsync(e => e.Type == PortalEvent.ViewersChanged && e.SessionId == session.Id));
        Assert.Empty(await owner.GetAsync<List<ViewerDto>>($"/api/sessions/{session.Id}/viewers"));
    }

    [Fact]
    public async Task Revoking_on_one_replica_closes_a_viewer_on_the_other_within_a_second()
    {
        var (owner, session, viewer, share) = await replicas.SharedAsync(SharePermission.ReadOnly);
        using var view = await TwoReplicas.ConnectedAsync(viewer, session.Id);

        var (close, took) = await view.ClosedByAsync(() => owner.Http.DeleteAsync($"/api/sessions/{session.Id}/shares/{share.Id}"));

        Assert.Equal((4001, "access revoked"), close);
        Assert.True(took < TimeSpan.FromSeconds(1), $"took {took}");
        Assert.Equal(HttpStatusCode.NotFound, await viewer.UpgradeStatusAsync(session.Id));
    }

    [Fact]
    public async Task A_permission_changed_on_one_replica_closes_the_viewer_on_the_other_who_reconnects_with_the_new_one()
    {
        var (owner, session, viewer, share) = await replicas.SharedAsync(SharePermission.ReadWrite);
        using var view = await TwoReplicas.ConnectedAsync(viewer, session.Id);

        var (close, took) = await view.ClosedByAsync(() => owner.ChangeShareAsync(session.Id, share.Id, SharePermission.ReadOnly));

        Assert.Equal((4002, "permission changed"), close);
        Assert.True(took < TimeSpan.FromSeconds(1), $"took {took}");
        await using var again = await viewer.ViewAsync(session.Id);
        Assert.Equal(SharePermission.ReadOnly, (await viewer.GetAsync<SessionDto>($"/api/sessions/{session.Id}")).SharePermission);
    }

    [Fact]
    public async Task Terminating_on_one_replica_closes_a_viewer_on_the_other_within_a_second()
    {
        var (owner, session, viewer, _) = await replicas.SharedAsync(SharePermission.ReadOnly);
        using var view = await TwoReplicas.ConnectedAsync(viewer, session.Id);

        var (close, took) = await view.ClosedByAsync(() => owner.Http.DeleteAsync($"/api/sessions/{session.Id}"));

        Assert.Equal((4000, "session ended"), close);
        Assert.True(took < TimeSpan.FromSeconds(1), $"took {took}");
    }

    [Fact]
    public async Task Deleting_an_account_on_one_replica_closes_its_viewer_on_the_other()
    {
        var (_, session, viewer, _) = await replicas.SharedAsync(SharePermission.ReadWrite);
        using var view = await TwoReplicas.ConnectedAsync(viewer, session.Id);
        using var admin = await replicas.A.AdminAsync();

        var (close, took) = await view.ClosedByAsync(() => admin.Http.DeleteAsync($"/api/admin/users/{viewer.User.Id}"));

        Assert.Equal((4001, "access revoked"), close);
        Assert.True(took < TimeSpan.FromSeconds(1), $"took {took}");
    }
}

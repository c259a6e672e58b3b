using System.Net.WebSockets;
using Npgsql;
using Sortie.Auth;
using Sortie.Data;
using Sortie.Events;
using Sortie.Gateway;
using Sortie.Sessions;
using Sortie.Sharing;
using Sortie.Tests.Kubernetes;
using Sortie.Platform;
using Sortie.Viewers;
using Sortie.Rfb.Testing;

namespace Sortie.Tests.Replicas;

/// <summary>
/// Two real Sortie processes, replicas A and B, on one real PostgreSQL, with a keys folder they share and sessions as
/// pods (the fake Kubernetes API; the pods' VNC port is a real Xvnc on loopback). The periodic recheck is set far away
/// (10 min), so a viewer closed within a second was closed by the signal between the replicas (LISTEN/NOTIFY).
/// </summary>
public sealed class TwoReplicas : IAsyncLifetime
{
    private FakeKubernetesApi _api = null!;
    private LoopbackDesktop _desktop = null!;
    private readonly List<string> _folders = [];
    private static int _users;

    public string Database { get; private set; } = "";
    public ServerProcess A { get; private set; } = null!;
    public ServerProcess B { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await FakeKubernetesApi.StartAsync();
        _api.StatusOnCreate = () => FakeKubernetesApi.RunningStatus();
        _desktop = await LoopbackDesktop.StartAsync(320, 240);
        Database = await PostgresServer.NewDatabaseAsync();
        var settings = new Dictionary<string, string>
        {
            ["SORTIE_DATABASE"] = Database,
            ["SORTIE_KEYS_DIR"] = NewFolder("sortie-keys-"),
            ["SORTIE_ACCESS_RECHECK"] = "10m",
            ["SORTIE_RUNNER"] = "kubernetes",
            ["SORTIE_K8S_API"] = _api.Url,
            ["SORTIE_K8S_NAMESPACE"] = "desktops",
            ["SORTIE_K8S_IMAGE"] = "registry.example.org/sortie/desktop:1",
            ["SORTIE_K8S_VNC_PORT"] = _desktop.Port.ToString(),
            ["SORTIE_K8S_START_TIMEOUT"] = "10s",
        };
        // Both at once, on an empty database and an empty keys folder: they race to migrate, seed and make the keys.
        var a = ServerProcess.StartAsync(NewFolder("sortie-replica-a-"), settings);
        var b = ServerProcess.StartAsync(NewFolder("sortie-replica-b-"), settings);
        try { await Task.WhenAll(a, b); }
        catch
        {
            foreach (var started in new[] { a, b }.Where(t => t.IsCompletedSuccessfully)) await started.Result.DisposeAsync();
            throw;
        }
        (A, B) = (a.Result, b.Result);

        // One revoke across the replicas before the tests, so the times they measure are not a cold start's (JIT, EF
        // Core's first queries): the requirement is about a portal that is running.
        var (owner, session, viewer, share) = await SharedAsync(SharePermission.ReadOnly);
        using (owner)
        using (viewer)
        using (var view = await ConnectedAsync(viewer, session.Id))
        {
            await view.ClosedByAsync(() => owner.Http.DeleteAsync($"/api/sessions/{session.Id}/shares/{share.Id}"));
            await owner.Http.DeleteAsync($"/api/sessions/{session.Id}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        PostgresServer.ReleaseConnections(Database);
        await _desktop.DisposeAsync();
        await _api.DisposeAsync();
        foreach (var folder in _folders)
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    private string NewFolder(string prefix)
    {
        var folder = Directory.CreateTempSubdirectory(prefix).FullName;
        _folders.Add(folder);
        return folder;
    }

    /// <summary>A new account, logged in on replica A; <see cref="OnB"/> gives the same user's client for B.</summary>
    public async Task<ApiClient> NewUserAsync()
    {
        using var admin = await A.AdminAsync();
        return await admin.NewUserAsync(UserRole.User, $"replica-user{Interlocked.Increment(ref _users)}");
    }

    /// <summary>The same user, with the same token (issued by A), talking to replica B.</summary>
    public ApiClient OnB(ApiClient user)
    {
        var http = new HttpClient { BaseAddress = B.BaseUri };
        http.DefaultRequestHeaders.Authorization = user.Http.DefaultRequestHeaders.Authorization;
        return new ApiClient(http, user.Tokens);
    }

    /// <summary>An owner on A with a running desktop, shared with a viewer at <paramref name="permission"/>; the viewer talks to B.</summary>
    public async Task<(ApiClient Owner, SessionDto Session, ApiClient ViewerOnB, ShareDto Share)> SharedAsync(SharePermission permission)
    {
        var owner = await NewUserAsync();
        var session = await owner.LaunchDesktopAsync(320, 240);
        using var viewer = await NewUserAsync();
        var share = await owner.InviteAsync(session.Id, viewer.User.Username, permission);
        return (owner, session, OnB(viewer), share);
    }

    /// <summary>A viewer's WebSocket through B, past the gateway's checks and relaying the desktop.</summary>
    public static async Task<ClientWebSocket> ConnectedAsync(ApiClient viewer, Guid sessionId)
    {
        var view = await viewer.ConnectAsync(sessionId);
        Assert.Equal("RFB 003.008\n", await view.ReadBannerAsync());
        return view;
    }
}

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

/// <summary>
/// The database, not the signal, decides: access taken away with no signal at all (as if the notification were lost)
/// ends when the replicas listen again. In a class of its own, as it cuts both replicas' LISTEN connections.
/// </summary>
public sealed class MissedSignalTests(TwoReplicas replicas) : IClassFixture<TwoReplicas>
{
    [Fact]
    public async Task Access_taken_away_while_a_replica_was_not_listening_ends_when_it_listens_again()
    {
        var (_, session, viewer, share) = await replicas.SharedAsync(SharePermission.ReadOnly);
        using var view = await TwoReplicas.ConnectedAsync(viewer, session.Id);

        // The share goes with no signal at all (as if the notification were lost), and the replicas' LISTEN
        // connections are cut: on reconnecting, each checks every live viewer against the database.
        var (close, _) = await view.ClosedByAsync(async () =>
        {
            await using var db = new NpgsqlConnection(replicas.Database);
            await db.OpenAsync();
            await using (var revoke = new NpgsqlCommand("""DELETE FROM "Shares" WHERE "Id" = $1""", db))
            {
                revoke.Parameters.Add(new NpgsqlParameter { Value = share.Id });
                Assert.Equal(1, await revoke.ExecuteNonQueryAsync());
            }
            await using var cut = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'", db);
            Assert.Equal(2L, await cut.ExecuteScalarAsync());
        }, timeout: TimeSpan.FromSeconds(15));

        Assert.Equal((4001, "access revoked"), close);
    }
}

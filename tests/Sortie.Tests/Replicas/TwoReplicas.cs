using System.Net.WebSockets;
using Sortie.Data;
using Sortie.Sessions;
using Sortie.Sharing;
using Sortie.Tests.Kubernetes;

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

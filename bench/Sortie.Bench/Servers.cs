using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sortie.Runners;
using Sortie.Testing;

namespace Sortie.Bench;

/// <summary>Settings every bench server shares: quiet logs, and join limits out of the way of the load runs.</summary>
internal static class BenchSettings
{
    /// <summary>src/Sortie (its wwwroot and appsettings), found above the bench's folder.</summary>
    public static string ContentRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Sortie.slnx"))) return Path.Combine(dir.FullName, "src", "Sortie");
        throw new InvalidOperationException("The repository root (Sortie.slnx) is not above the bench's folder.");
    }

    public static readonly KeyValuePair<string, string>[] All =
    [
        new("Logging:LogLevel:Default", "Warning"),
        new("SORTIE_JOIN_LIMIT_PER_USER", "100000000"),
        new("SORTIE_JOIN_LIMIT_PER_ADDRESS", "100000000"),
        new("SORTIE_MAX_SESSIONS_PER_USER", "50"),
    ];
}

/// <summary>A real Sortie (local runner, real Xvnc sandboxes) in this process, Release build.</summary>
internal sealed class RealServer : SortieServer
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [.. BenchSettings.All, new(WebHostDefaults.ContentRootKey, BenchSettings.ContentRoot())];
}

/// <summary>
/// Sortie in this process with its runner replaced by one whose every session's VNC server is the synthetic one:
/// everything else (auth, session checks, the gateway, RfbRelay and its filters) is Sortie's own code.
/// </summary>
internal sealed class SyntheticServer(int vncPort) : SortieServer
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [.. BenchSettings.All, new(WebHostDefaults.ContentRootKey, BenchSettings.ContentRoot())];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<ISessionRunner>();
            services.AddSingleton<ISessionRunner>(new SyntheticRunner(vncPort));
        });
    }
}

/// <summary>A runner that starts nothing: each session's desktop is the synthetic VNC server on a loopback port.</summary>
internal sealed class SyntheticRunner(int port) : ISessionRunner
{
    private readonly ConcurrentDictionary<Guid, bool> _sessions = new();

    public Task StartAsync(SessionLaunch launch, CancellationToken ct)
    {
        _sessions[launch.SessionId] = true;
        return Task.CompletedTask;
    }

    public Task<bool> ResumeAsync(Guid sessionId, CancellationToken ct) => Task.FromResult(false);

    public Task StopAsync(Guid sessionId)
    {
        _sessions.TryRemove(sessionId, out _);
        return Task.CompletedTask;
    }

    public async Task<Stream> ConnectAsync(Guid sessionId, CancellationToken ct)
    {
        if (!_sessions.ContainsKey(sessionId)) throw new RunnerException("The session is not running.");
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port, ct);
        return client.GetStream();
    }

    public event Action<Guid, string>? SessionExited { add { } remove { } }

    public IReadOnlyCollection<Guid> ActiveSessions => _sessions.Keys.ToArray();
    public bool HoldsEverySession => true;

    public string? Problem() => null;
}

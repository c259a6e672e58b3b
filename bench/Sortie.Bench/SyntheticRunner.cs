using System.Collections.Concurrent;
using System.Net.Sockets;
using Sortie.Runners;

namespace Sortie.Bench;

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

using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Sortie.Runners;

namespace Sortie.Testing;

/// <summary>
/// A real Sortie server (Kestrel, database, every endpoint and rule) whose sessions have no desktop: its runner is a
/// stand-in that starts nothing, so a launch is running at once. For tests of what the API accepts and who may do
/// what, where the desktop plays no part; whatever needs a real sandbox or a viewer uses <see cref="SortieServer"/>.
/// </summary>
public class NoDesktopServer : SortieServer
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<ISessionRunner, StandInRunner>());
    }

    /// <summary>Holds sessions as a set of ids: started, stopped, never a process nor a desktop to connect to.</summary>
    private sealed class StandInRunner : ISessionRunner
    {
        private readonly ConcurrentDictionary<Guid, bool> _sessions = new();

        public Task StartAsync(SessionLaunch launch, CancellationToken ct)
        {
            _sessions[launch.SessionId] = true;
            return Task.CompletedTask;
        }

        public Task<bool> ResumeAsync(Guid sessionId, CancellationToken ct) => Task.FromResult(_sessions.ContainsKey(sessionId));

        public Task StopAsync(Guid sessionId)
        {
            _sessions.TryRemove(sessionId, out _);
            return Task.CompletedTask;
        }

        public Task<Stream> ConnectAsync(Guid sessionId, CancellationToken ct) =>
            throw new IOException("A stand-in session has no desktop.");

        public event Action<Guid, string>? SessionExited { add { } remove { } }

        public IReadOnlyCollection<Guid> ActiveSessions => _sessions.Keys.ToList();

        public bool HoldsEverySession => true;

        public string? Problem() => null;
    }
}

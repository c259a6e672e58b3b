using Sortie.Platform;

namespace Sortie.Runners;

/// <summary>
/// How a runner stops its sessions, whichever runner it is: each session once, however many ask at the same time
/// (shutdown while a session ends by itself: the second caller waits for the same stop), and every session when the
/// server exits, if <see cref="SortieOptions.StopSessionsOnExit"/> says so; otherwise they outlive it, to be resumed.
/// </summary>
internal sealed class SessionStops(SortieOptions options, ILogger log)
{
    private readonly Dictionary<Guid, Task> _running = new();

    /// <summary>
    /// The stop of a session: the one under way, else a new one. <paramref name="take"/> runs under the lock (so that
    /// no second stop can begin meanwhile) and gives the work to do, or null when there is nothing to stop.
    /// </summary>
    public Task Once(Guid sessionId, Func<Func<Task>?> take)
    {
        lock (_running)
        {
            if (_running.TryGetValue(sessionId, out var stopping)) return stopping;
            if (take() is not { } work) return Task.CompletedTask;
            var stop = Task.Run(work);
            _running[sessionId] = stop;
            stop.ContinueWith(_ => { lock (_running) _running.Remove(sessionId); }, TaskScheduler.Default);
            return stop;
        }
    }

    /// <summary>The sessions whose stop has not finished yet.</summary>
    public IReadOnlyCollection<Guid> UnderWay
    {
        get { lock (_running) return _running.Where(s => !s.Value.IsCompleted).Select(s => s.Key).ToArray(); }
    }

    /// <summary>
    /// What <see cref="IHostedService.StopAsync"/> does with the sessions when the server exits: stops every one of
    /// <paramref name="active"/> and waits for the stops already under way; or, when sessions outlive the server, says
    /// how many will be resumed. True when the sessions were stopped.
    /// </summary>
    public async Task<bool> OnServerExitAsync(ICollection<Guid> active, Func<Guid, Task> stop)
    {
        if (!options.StopSessionsOnExit)
        {
            if (active.Count > 0) log.LogInformation("{Count} sessions keep running, to be resumed at the next start", active.Count);
            return false;
        }
        Task[] stopping;
        lock (_running) stopping = [.. active.Select(stop), .. _running.Values];
        await Task.WhenAll(stopping);
        return true;
    }
}

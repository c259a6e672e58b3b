using Sortie.Hosting;

namespace Sortie.Sessions;

/// <summary>Ends sessions left without a viewer for longer than SORTIE_SESSION_TIMEOUT.</summary>
public sealed class IdleReaper(SessionManager sessions, SortieOptions options, ILogger<IdleReaper> log) : BackgroundService
{
    /// <summary>Checks often enough that a session outlives its timeout by half of it at most, and at least every 30 s.</summary>
    public TimeSpan Interval => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, options.SessionTimeout.Ticks / 2));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try { await sessions.EndIdleAsync(stoppingToken); }
            catch (Exception e) when (e is not OperationCanceledException) { log.LogError(e, "Idle check failed"); }
        }
    }
}

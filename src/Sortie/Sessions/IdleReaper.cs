namespace Sortie.Sessions;

/// <summary>Ends sessions left without a viewer for longer than SORTIE_SESSION_TIMEOUT.</summary>
public sealed class IdleReaper(SessionManager sessions, ILogger<IdleReaper> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

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

namespace Sortie.Replicas;

/// <summary>
/// Listens for the other replicas' signals and hands each to this replica's <see cref="IReplicaSignalHandler"/>s (the
/// viewer guard rechecks viewers, the event hub passes live updates to the pages). After every (re)connection each
/// handler catches up, since what was sent while it was not listening is lost.
/// </summary>
public sealed class ReplicaListener(PostgresReplicaBus bus, IEnumerable<IReplicaSignalHandler> handlers, ILogger<ReplicaListener> log)
    : BackgroundService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retryDelay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await bus.OpenListenerAsync(stoppingToken);
                connection.Notification += (_, n) =>
                {
                    if (bus.Read(n.Payload) is { } signal) _ = ActAsync(signal, stoppingToken);
                };
                foreach (var handler in handlers) await handler.CatchUpAsync(stoppingToken);
                retryDelay = TimeSpan.FromSeconds(1);
                while (true) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                log.LogWarning(e, "Not listening to the other replicas; trying again in {Delay}", retryDelay);
                try { await Task.Delay(retryDelay, stoppingToken); }
                catch (OperationCanceledException) { return; }
                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    private async Task ActAsync(ReplicaSignal signal, CancellationToken ct)
    {
        foreach (var handler in handlers)
        {
            try { await handler.HandleAsync(signal, ct); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Acting on another replica's {Kind} signal failed", signal.Kind);
            }
        }
    }
}

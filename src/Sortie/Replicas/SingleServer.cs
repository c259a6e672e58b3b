namespace Sortie.Replicas;

/// <summary>One server alone (SQLite): there is nobody to tell.</summary>
public sealed class SingleServer : IReplicaBus
{
    public string ReplicaId { get; } = Guid.NewGuid().ToString("N");

    public Task PublishAsync(ReplicaSignal signal) => Task.CompletedTask;
}

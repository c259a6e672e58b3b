namespace Sortie.Replicas;

/// <summary>Carries <see cref="ReplicaSignal"/>s to the other replicas of the portal.</summary>
public interface IReplicaBus
{
    /// <summary>This replica's name among the others, new at every start.</summary>
    string ReplicaId { get; }

    /// <summary>Sends to every other replica; never throws (the others' periodic recheck covers a failure).</summary>
    Task PublishAsync(ReplicaSignal signal);
}

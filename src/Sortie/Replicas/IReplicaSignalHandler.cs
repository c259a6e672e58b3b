namespace Sortie.Replicas;

/// <summary>
/// A part of this replica that acts on the other replicas' signals (registered in the services; the
/// <see cref="ReplicaListener"/> hands every signal to each). The bus knows nothing of what they do.
/// </summary>
public interface IReplicaSignalHandler
{
    /// <summary>Acts on a signal, or ignores it if it is not of its kind.</summary>
    Task HandleAsync(ReplicaSignal signal, CancellationToken ct);

    /// <summary>Signals sent while this replica was not listening are lost: look again at whatever they could have been about.</summary>
    Task CatchUpAsync(CancellationToken ct);
}

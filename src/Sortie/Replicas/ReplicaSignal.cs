namespace Sortie.Replicas;

/// <summary>
/// What one replica tells the others: who may see a session changed (<see cref="Kinds.Access"/>), a live update for
/// the users' pages (<see cref="Kinds.Event"/>), or a recording to stop (<see cref="Kinds.Recording"/>). A signal only says "look again": the database stays the source of
/// truth, so a lost, late or forged signal can neither open access nor keep it open.
/// </summary>
public sealed record ReplicaSignal(string Kind, Guid? SessionId, string? EventType = null, Guid[]? Users = null)
{
    public static class Kinds
    {
        public const string Access = "access";
        public const string Event = "event";
        public const string Recording = "recording";
    }

    /// <summary>Who may see <paramref name="sessionId"/> changed; null: any session (an account was deleted).</summary>
    public static ReplicaSignal Access(Guid? sessionId) => new(Kinds.Access, sessionId);

    /// <summary>A session's recording was asked to stop: the replica recording it looks at its row.</summary>
    public static ReplicaSignal Recording(Guid sessionId) => new(Kinds.Recording, sessionId);

    public static ReplicaSignal Event(string type, Guid sessionId, Guid[] users) => new(Kinds.Event, sessionId, type, users);
}

namespace Sortie.Replicas;

/// <summary>
/// What one replica tells the others: who may see a session changed (<see cref="Kinds.Access"/>), or a live update for
/// the users' pages (<see cref="Kinds.Event"/>). A signal only says "look again": the database stays the source of
/// truth, so a lost, late or forged signal can neither open access nor keep it open.
/// </summary>
public sealed record ReplicaSignal(string Kind, Guid? SessionId, string? EventType = null, Guid[]? Users = null)
{
    public static class Kinds
    {
        public const string Access = "access";
        public const string Event = "event";
    }

    /// <summary>Who may see <paramref name="sessionId"/> changed; null: any session (an account was deleted).</summary>
    public static ReplicaSignal Access(Guid? sessionId) => new(Kinds.Access, sessionId);

    public static ReplicaSignal Event(string type, Guid sessionId, Guid[] users) => new(Kinds.Event, sessionId, type, users);
}

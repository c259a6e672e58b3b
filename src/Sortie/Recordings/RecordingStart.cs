namespace Sortie.Recordings;

/// <summary>What a recording's first event says: which session, app and owner, who started it, and when.</summary>
public sealed record RecordingStart(Guid SessionId, string App, string Owner, string By, DateTime StartedAt);

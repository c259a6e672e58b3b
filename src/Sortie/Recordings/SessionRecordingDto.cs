using Sortie.Data;

namespace Sortie.Recordings;

/// <summary>A session's recording now: the app's policy, whether it records, and since when.</summary>
public sealed record SessionRecordingDto(RecordingPolicy Policy, bool Recording, Guid? RecordingId, DateTime? StartedAt);

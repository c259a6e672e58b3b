using Sortie.Data;

namespace Sortie.Recordings;

/// <summary>
/// A recording as listed: which session, app and owner, who started it, when, how long and large, who watched, and why
/// it ended (null while it runs). <c>policy</c> "always": made because the app is recorded always (admins alone delete it).
/// </summary>
public sealed record RecordingDto(
    Guid Id,
    Guid SessionId,
    string AppName,
    Guid OwnerId,
    string OwnerUsername,
    string StartedBy,
    DateTime StartedAt,
    DateTime? EndedAt,
    double DurationSeconds,
    long SizeBytes,
    IReadOnlyList<string> Participants,
    bool Running,
    string? StopReason,
    RecordingPolicy Policy,
    bool KeysLogged,
    string FileUrl)
{
    public static RecordingDto From(Recording r, long size, DateTime now) => new(
        r.Id, r.SessionId, r.Session.App.Name, r.Session.OwnerId, r.Session.Owner.Username, r.StartedBy, r.StartedAt, r.EndedAt,
        Math.Round(((r.EndedAt ?? now) - r.StartedAt).TotalSeconds, 1), size,
        r.Participants.Split(',', StringSplitOptions.RemoveEmptyEntries), r.EndedAt is null, r.StopReason, r.Policy, r.KeysLogged,
        $"/api/recordings/{r.Id}/file");
}

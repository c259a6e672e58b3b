namespace Sortie.Data;

/// <summary>
/// A recording of a session's desktop and of who did what in it. The row holds what lists and access need; the
/// recording itself is a file of its own (named after <see cref="Id"/>, in the recordings folder), never in the database.
/// </summary>
public sealed class Recording
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid SessionId { get; set; }
    public Session Session { get; set; } = null!;
    /// <summary>The app's policy when it began: a recording made under <see cref="RecordingPolicy.Always"/> is the admins'.</summary>
    public RecordingPolicy Policy { get; set; }
    /// <summary>Who started it (the owner, an admin, or "policy" for an app recorded always).</summary>
    public required string StartedBy { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? EndedAt { get; set; }
    /// <summary>Why it ended, in words a user can read (stopped by alice, session ended, disk full, size limit…).</summary>
    public string? StopReason { get; set; }
    /// <summary>The file's size, brought up to date while it records (every few seconds) and when it ends.</summary>
    public long SizeBytes { get; set; }
    /// <summary>Everyone who watched while it recorded, comma-separated, in the order they first came.</summary>
    public string Participants { get; set; } = "";
    /// <summary>Whether key events name their keys (SORTIE_RECORDING_KEYS); without, only that a key was pressed.</summary>
    public bool KeysLogged { get; set; }
    /// <summary>When its recorder last brought the row up to date: one silent for long lost its server (closed as interrupted).</summary>
    public DateTime UpdatedAt { get; set; }
    /// <summary>Why a replica other than the recording one was asked to stop it: the recording one stops it, saying this.</summary>
    public string? StopRequested { get; set; }
    /// <summary>The replica that writes it, for whoever reads the database (a stop asked of another replica is passed on
    /// by a signal, not by this).</summary>
    public string? Replica { get; set; }
}

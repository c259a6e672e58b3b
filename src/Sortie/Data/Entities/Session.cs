namespace Sortie.Data;

public sealed class Session
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid AppId { get; set; }
    public App App { get; set; } = null!;
    public Guid OwnerId { get; set; }
    public User Owner { get; set; } = null!;
    public SessionStatus Status { get; set; } = SessionStatus.Creating;
    /// <summary>Why a session ended or failed, in words a user can read.</summary>
    public string? EndReason { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? EndedAt { get; set; }
    /// <summary>When the session last had a viewer (or started): the idle timeout counts from here.</summary>
    public DateTime LastViewerAt { get; set; }

    /// <summary>Creating or running: listed, counted against its owner's limit, holding its desktop.</summary>
    public bool IsLive => IsLiveRule(this);

    /// <summary>The same rule for queries (see Access's <c>Live()</c>).</summary>
    public static readonly System.Linq.Expressions.Expression<Func<Session, bool>> Live =
        s => s.Status == SessionStatus.Creating || s.Status == SessionStatus.Running;

    private static readonly Func<Session, bool> IsLiveRule = Live.Compile();
}

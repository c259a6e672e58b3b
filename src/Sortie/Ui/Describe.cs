using Sortie.Data;

namespace Sortie.Ui;

/// <summary>How the pages say things in words: permissions, statuses, ages and expiries.</summary>
public static class Describe
{
    public static string Permission(SharePermission permission) =>
        permission == SharePermission.ReadWrite ? "Full Access" : "View Only";

    public static string Status(SessionStatus status) => status switch
    {
        SessionStatus.Creating => "Starting",
        SessionStatus.Running => "Running",
        SessionStatus.Terminated => "Ended",
        _ => "Failed",
    };

    /// <summary>"moments", "5 min", "3 h", "2 days": how long from <paramref name="since"/> to <paramref name="now"/> (UTC).</summary>
    public static string Age(DateTime since, DateTime now) => Span(now - since);

    /// <summary>A link's expiry from <paramref name="now"/>: "expires in 55 min", or "never expires".</summary>
    public static string Expiry(DateTime? at, DateTime now) => at is { } when ? $"expires in {Span(when - now)}" : "never expires";

    /// <summary>A link's uses: "1 use", "2 of 5 uses".</summary>
    public static string Uses(int uses, int? maxUses) =>
        maxUses is { } max ? $"{uses} of {max} uses" : uses == 1 ? "1 use" : $"{uses} uses";

    /// <summary>How a viewer came in.</summary>
    public static string Via(AccessVia via) => via switch
    {
        AccessVia.Owner => "owner",
        AccessVia.Admin => "admin",
        AccessVia.Share => "invited",
        AccessVia.Link => "through a link",
        _ => "no access",
    };

    /// <summary>A recording's length: "0:42", "12:05", "1:02:03".</summary>
    public static string Duration(TimeSpan span) => span.TotalHours >= 1
        ? $"{(int)span.TotalHours}:{span.Minutes:00}:{span.Seconds:00}"
        : $"{span.Minutes}:{span.Seconds:00}";

    /// <summary>A file's size: "820 KB", "12.4 MB", "1.2 GB" (powers of 1024).</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1L << 20 => $"{Math.Max(1, bytes >> 10)} KB",
        < 1L << 30 => $"{bytes / (double)(1L << 20):0.#} MB",
        _ => $"{bytes / (double)(1L << 30):0.#} GB",
    };

    private static string Span(TimeSpan span) => span switch
    {
        { TotalMinutes: < 1 } => "moments",
        { TotalHours: < 1 } => $"{(int)span.TotalMinutes} min",
        { TotalDays: < 2 } => $"{(int)span.TotalHours} h",
        _ => $"{(int)span.TotalDays} days",
    };
}

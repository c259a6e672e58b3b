using System.Globalization;
using System.Text.RegularExpressions;

namespace Sortie.Platform;

/// <summary>
/// The portal's settings. Each is read from a flat key (an environment variable such as
/// SORTIE_DATA_DIR, or the same key in appsettings.json), so an operator configures Sortie
/// without learning ASP.NET's section syntax.
/// </summary>
public sealed record SortieOptions
{
    public required string DataDir { get; init; }
    /// <summary>
    /// The generated keys (JWT signing, data protection for cookies and sealed link tokens): SORTIE_KEYS_DIR, by default
    /// the data dir's keys/. Replicas share one folder (a shared volume), so any of them accepts any user's token and
    /// cookie. Never in the database: a copy of the database alone must not let anyone forge a login.
    /// </summary>
    public string KeysDir { get => _keysDir ?? Path.Combine(DataDir, "keys"); init => _keysDir = value; }
    private readonly string? _keysDir;
    public string? AdminPassword { get; init; }
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromHours(2);
    public int MaxSessionsPerUser { get; init; } = 5;
    /// <summary>Link joins a user may attempt per minute (see Sharing.JoinLimiter).</summary>
    public int JoinLimitPerUser { get; init; } = DefaultJoinLimitPerUser;
    public const int DefaultJoinLimitPerUser = 20;
    /// <summary>Link joins one client address may attempt per minute.</summary>
    public int JoinLimitPerAddress { get; init; } = DefaultJoinLimitPerAddress;
    public const int DefaultJoinLimitPerAddress = 60;
    /// <summary>Origins besides the portal's own that may open cookie-authenticated WebSockets.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];
    /// <summary>
    /// Reverse proxies (addresses or CIDR ranges, SORTIE_TRUSTED_PROXIES) whose X-Forwarded-For/-Proto/-Host are
    /// believed. None by default: then the headers are ignored, since anyone could send them.
    /// </summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxies { get; init; } = [];
    /// <summary>
    /// The address people reach the portal at (SORTIE_PUBLIC_URL, e.g. https://sortie.example.com), without a trailing
    /// slash: share links are made from it. Unset: from each request's own scheme and host (see <see cref="PublicAddress"/>).
    /// </summary>
    public string? PublicUrl { get; init; }
    /// <summary>
    /// When set (SORTIE_METRICS_TOKEN), /metrics asks for "Authorization: Bearer" and this token; unset, it is open to
    /// whoever reaches the port (operators scrape from inside the network). A secret: never log it.
    /// </summary>
    public string? MetricsToken { get; init; }
    /// <summary>
    /// False (the default): sessions outlive a server restart or crash and are resumed at the next start, so an
    /// upgrade interrupts nobody's desktop for more than a reconnect. True: sessions end with the server.
    /// </summary>
    public bool StopSessionsOnExit { get; init; }
    /// <summary>
    /// How often every live connection is checked against the database (SORTIE_ACCESS_RECHECK): the longest a lost
    /// signal between replicas could leave access open. Changes made on the same replica act at once.
    /// </summary>
    public TimeSpan AccessRecheck { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>
    /// What each session of the local runner may use (SORTIE_SESSION_MEMORY_LIMIT, SORTIE_SESSION_CPU_LIMIT,
    /// SORTIE_SESSION_PROCESS_LIMIT), held by its cgroup; a session over its memory is ended.
    /// </summary>
    public SessionLimits SessionLimits { get; init; } = SessionLimits.Default;

    /// <summary>
    /// How often each replica rechecks its live connections and says they are still there: the recheck period, and
    /// often enough that a watched session never looks idle to another replica's housekeeper.
    /// </summary>
    public TimeSpan LiveCheckInterval => TimeSpan.FromTicks(Math.Min(AccessRecheck.Ticks, SessionTimeout.Ticks / 2));

    /// <summary>
    /// Where sessions' folders (home, VNC socket) live. A sandbox's own uid must be able to reach its
    /// folder, so when the server runs as root they cannot sit in the private data dir (or under a 0700
    /// home): they go to /run/sortie, one folder per data dir so that servers never touch each other's.
    /// </summary>
    public required string SessionsDir { get; init; }

    /// <summary>
    /// A PostgreSQL connection string (SORTIE_DATABASE) selects PostgreSQL; without one, SQLite at <see cref="DatabasePath"/>.
    /// It may hold a password: never log it.
    /// </summary>
    public string? Database { get; init; }

    public string DatabasePath => Path.Combine(DataDir, "sortie.db");

    public string SessionFolder(Guid sessionId) => Path.Combine(SessionsDir, sessionId.ToString("N"));

    /// <summary>Where recordings are written (SORTIE_RECORDINGS_DIR, by default the data dir's recordings/): one file each.</summary>
    public string RecordingsDir { get => _recordingsDir ?? Path.Combine(DataDir, "recordings"); init => _recordingsDir = value; }
    private readonly string? _recordingsDir;

    /// <summary>How long a recording is kept after it ends (SORTIE_RECORDING_RETENTION: days, e.g. 30, or a duration).</summary>
    public TimeSpan RecordingRetention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>The largest a recording may grow (SORTIE_RECORDING_MAX_SIZE, e.g. 2g); it stops there, saying so.</summary>
    public long RecordingMaxBytes { get; init; } = 2L << 30;

    /// <summary>
    /// Whether recordings name the keys pressed (SORTIE_RECORDING_KEYS, default true). False keeps that a key was pressed,
    /// when and by whom, and every pointer event, but not which key: typed passwords stay out of the files.
    /// </summary>
    public bool RecordingKeys { get; init; } = true;

    public static SortieOptions FromConfiguration(IConfiguration config)
    {
        var dataDir = Path.GetFullPath(config["SORTIE_DATA_DIR"] is { Length: > 0 } dir ? dir : "./data");
        return new SortieOptions
        {
            DataDir = dataDir,
            KeysDir = config["SORTIE_KEYS_DIR"] is { Length: > 0 } keys ? Path.GetFullPath(keys) : Path.Combine(dataDir, "keys"),
            SessionsDir = config["SORTIE_RUNTIME_DIR"] is { Length: > 0 } runtime ? Path.GetFullPath(runtime)
                : Environment.UserName == "root"
                    ? Path.Combine("/run/sortie", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
                        System.Text.Encoding.UTF8.GetBytes(dataDir)))[..16])
                    : Path.Combine(dataDir, "sessions"),
            AdminPassword = config["SORTIE_ADMIN_PASSWORD"] is { Length: > 0 } pw ? pw : null,
            Database = config["SORTIE_DATABASE"] is { Length: > 0 } database ? database.Trim() : null,
            SessionTimeout = ParseDuration(config["SORTIE_SESSION_TIMEOUT"], TimeSpan.FromHours(2), "SORTIE_SESSION_TIMEOUT"),
            MaxSessionsPerUser = ParsePositiveInt(config["SORTIE_MAX_SESSIONS_PER_USER"], 5, "SORTIE_MAX_SESSIONS_PER_USER"),
            JoinLimitPerUser = ParsePositiveInt(config["SORTIE_JOIN_LIMIT_PER_USER"], DefaultJoinLimitPerUser, "SORTIE_JOIN_LIMIT_PER_USER"),
            JoinLimitPerAddress = ParsePositiveInt(config["SORTIE_JOIN_LIMIT_PER_ADDRESS"], DefaultJoinLimitPerAddress, "SORTIE_JOIN_LIMIT_PER_ADDRESS"),
            AccessRecheck = ParseDuration(config["SORTIE_ACCESS_RECHECK"], TimeSpan.FromSeconds(15), "SORTIE_ACCESS_RECHECK"),
            StopSessionsOnExit = ParseBool(config["SORTIE_STOP_SESSIONS_ON_EXIT"], "SORTIE_STOP_SESSIONS_ON_EXIT"),
            SessionLimits = new SessionLimits(
                ParseSize(config["SORTIE_SESSION_MEMORY_LIMIT"], SessionLimits.Default.MemoryBytes, "SORTIE_SESSION_MEMORY_LIMIT"),
                ParseCores(config["SORTIE_SESSION_CPU_LIMIT"], SessionLimits.Default.Cpus, "SORTIE_SESSION_CPU_LIMIT"),
                ParsePositiveInt(config["SORTIE_SESSION_PROCESS_LIMIT"], SessionLimits.Default.Processes, "SORTIE_SESSION_PROCESS_LIMIT")),
            AllowedOrigins = (config["SORTIE_ALLOWED_ORIGINS"] ?? "")
                .Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            TrustedProxies = ParseNetworks(config["SORTIE_TRUSTED_PROXIES"], "SORTIE_TRUSTED_PROXIES"),
            PublicUrl = ParsePublicUrl(config["SORTIE_PUBLIC_URL"], "SORTIE_PUBLIC_URL"),
            MetricsToken = config["SORTIE_METRICS_TOKEN"] is { Length: > 0 } metricsToken ? metricsToken.Trim() : null,
            RecordingsDir = config["SORTIE_RECORDINGS_DIR"] is { Length: > 0 } recordings ? Path.GetFullPath(recordings)
                : Path.Combine(dataDir, "recordings"),
            RecordingRetention = ParseDays(config["SORTIE_RECORDING_RETENTION"], TimeSpan.FromDays(30), "SORTIE_RECORDING_RETENTION"),
            RecordingMaxBytes = ParseSize(config["SORTIE_RECORDING_MAX_SIZE"], 2L << 30, "SORTIE_RECORDING_MAX_SIZE", minimum: 1L << 20),
            RecordingKeys = ParseBool(config["SORTIE_RECORDING_KEYS"], "SORTIE_RECORDING_KEYS", fallback: true),
        };
    }

    /// <summary>Addresses ("10.0.0.7", "::1") and CIDR ranges ("10.0.0.0/8"), separated by commas or spaces.</summary>
    public static IReadOnlyList<System.Net.IPNetwork> ParseNetworks(string? text, string key) =>
        (text ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(item => System.Net.IPNetwork.TryParse(item, out var network) ? network
                : System.Net.IPAddress.TryParse(item, out var address)
                    ? new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
                    : throw new InvalidOperationException($"{key}: '{item}' is not an IP address or a CIDR range (e.g. 10.0.0.7 or 10.0.0.0/8)."))
            .ToArray();

    /// <summary>An absolute http(s) address with no query or fragment ("https://sortie.example.com/portal"), kept without its trailing slash.</summary>
    public static string? ParsePublicUrl(string? text, string key)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
               && url.Query.Length == 0 && url.Fragment.Length == 0 && url.UserInfo.Length == 0
            ? url.GetLeftPart(UriPartial.Path).TrimEnd('/')
            : throw new InvalidOperationException($"{key}: '{text}' is not an http or https address such as https://sortie.example.com.");
    }

    /// <summary>Accepts "90s", "30m", "2h", "1d", a combination such as "1h30m", or a TimeSpan ("02:00:00").</summary>
    public static TimeSpan ParseDuration(string? text, TimeSpan fallback, string key)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        text = text.Trim();
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && text.Contains(':')) return span;
        var match = Regex.Match(text, @"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$", RegexOptions.IgnoreCase);
        if (!match.Success || text.Length == 0)
            throw new InvalidOperationException($"{key}: '{text}' is not a duration (use e.g. 90s, 30m, 2h, 1d).");
        int Part(int i) => match.Groups[i].Success ? int.Parse(match.Groups[i].Value, CultureInfo.InvariantCulture) : 0;
        var result = new TimeSpan(Part(1), Part(2), Part(3), Part(4));
        return result > TimeSpan.Zero ? result
            : throw new InvalidOperationException($"{key}: the duration must be more than zero.");
    }

    /// <summary>A number of days ("30"), or a duration as <see cref="ParseDuration"/> reads it ("12h").</summary>
    public static TimeSpan ParseDays(string? text, TimeSpan fallback, string key) =>
        int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days > 0
            ? TimeSpan.FromDays(days)
            : ParseDuration(text, fallback, key);

    /// <summary>A size in bytes: "512m", "2g", "1.5g" (k, m, g are powers of 1024); at least <paramref name="minimum"/>
    /// (by default 64 MiB: what a desktop needs).</summary>
    public static long ParseSize(string? text, long fallback, string key, long minimum = 64L << 20)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        var match = Regex.Match(text.Trim(), @"^(\d+(?:\.\d+)?)\s*([kmg])i?b?$", RegexOptions.IgnoreCase);
        if (!match.Success) throw new InvalidOperationException($"{key}: '{text}' is not a size (use e.g. 512m or 2g).");
        var unit = char.ToLowerInvariant(match.Groups[2].Value[0]) switch { 'k' => 1L << 10, 'm' => 1L << 20, _ => 1L << 30 };
        var bytes = (long)(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * unit);
        return bytes >= minimum ? bytes : throw new InvalidOperationException($"{key}: '{text}' is too small: at least {minimum >> 20}m.");
    }

    private static double ParseCores(string? text, double fallback, string key)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        return double.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var cores) && cores >= 0.1
            ? cores
            : throw new InvalidOperationException($"{key}: '{text}' is not a number of cores (at least 0.1, e.g. 1 or 1.5).");
    }

    private static bool ParseBool(string? text, string key, bool fallback = false) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" => fallback,
        "false" or "0" or "no" => false,
        "true" or "1" or "yes" => true,
        _ => throw new InvalidOperationException($"{key}: '{text}' is not true or false."),
    };

    private static int ParsePositiveInt(string? text, int fallback, string key)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new InvalidOperationException($"{key}: '{text}' is not a positive whole number.");
    }
}

namespace Sortie.Bench;

/// <summary>Settings every bench server shares: quiet logs, and join limits out of the way of the load runs.</summary>
internal static class BenchSettings
{
    /// <summary>src/Sortie (its wwwroot and appsettings), found above the bench's folder.</summary>
    public static string ContentRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Sortie.slnx"))) return Path.Combine(dir.FullName, "src", "Sortie");
        throw new InvalidOperationException("The repository root (Sortie.slnx) is not above the bench's folder.");
    }

    public static readonly KeyValuePair<string, string>[] All =
    [
        new("Logging:LogLevel:Default", "Warning"),
        new("SORTIE_JOIN_LIMIT_PER_USER", "100000000"),
        new("SORTIE_JOIN_LIMIT_PER_ADDRESS", "100000000"),
        new("SORTIE_MAX_SESSIONS_PER_USER", "50"),
    ];
}

using SQLitePCL;

namespace Sortie.Data;

/// <summary>Process-wide SQLite settings, made before the first connection opens (SQLite takes them only then).</summary>
public static class SqliteSetup
{
    private static readonly Lazy<int> Configured = new(() =>
    {
        Batteries_V2.Init();
        // SQLite counts every allocation of every connection under one process-wide mutex ("memory statistics",
        // on by default). Under concurrent requests the threads queued on it and the server used about one of its
        // cores (docs/benchmarks.md, "API profile"). Sortie reads none of those statistics, nor sets a heap limit.
        // SQLITE_MISUSE when SQLite was initialised already (another server in this process opened it first).
        return raw.sqlite3_config(raw.SQLITE_CONFIG_MEMSTATUS, 0);
    });

    /// <summary>Applies the settings once per process; later calls do nothing.</summary>
    public static void Configure() => _ = Configured.Value;
}

namespace Sortie.Platform;

/// <summary>What one session may use of the machine: memory (bytes, swap included), CPU (cores) and processes (tasks).</summary>
public sealed record SessionLimits(long MemoryBytes, double Cpus, int Processes)
{
    /// <summary>2 GiB, 2 cores, 1024 processes (threads count: a browser runs a few hundred).</summary>
    public static readonly SessionLimits Default = new(2L << 30, 2, 1024);

    /// <summary>These limits with what an app asks for instead.</summary>
    public SessionLimits With(AppLimits? app) => app is null ? this
        : this with { MemoryBytes = app.MemoryBytes ?? MemoryBytes, Cpus = app.Cpus ?? Cpus };

    public string MemoryText => MemoryBytes % (1L << 30) == 0 ? $"{MemoryBytes >> 30} GiB" : $"{MemoryBytes >> 20} MiB";
}

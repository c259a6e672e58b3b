namespace Sortie.Platform;

/// <summary>What an app asks of the machine for each of its sessions, over the runner's defaults (null: the default).</summary>
public sealed record AppLimits(double? Cpus, long? MemoryBytes);

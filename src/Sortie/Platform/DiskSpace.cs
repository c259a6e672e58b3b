namespace Sortie.Platform;

/// <summary>Whether the data dir's disk has room left for the database (SQLite's file, its journal) and the keys.</summary>
public static class DiskSpace
{
    /// <summary>Below this the disk counts as full: a session's start or a share could no longer be saved.</summary>
    public const long MinimumFreeBytes = 16L << 20;

    /// <summary>Null while there is room; otherwise what is wrong, in words.</summary>
    public static string? Problem(string dataDir)
    {
        // The data dir may not exist yet (a first start): its nearest existing parent is on the same disk, or is where it goes.
        var dir = new DirectoryInfo(dataDir);
        while (!dir.Exists && dir.Parent is not null) dir = dir.Parent;
        var free = new DriveInfo(dir.FullName).AvailableFreeSpace;
        return free >= MinimumFreeBytes ? null
            : $"the disk of {dataDir} is full ({free >> 20} MiB free; Sortie needs at least {MinimumFreeBytes >> 20} MiB)";
    }

    /// <summary>Whether a write failed for want of room: ENOSPC, or EDQUOT (a quota), which .NET reports as the errno.</summary>
    public static bool IsFull(IOException e) => e.HResult is 28 or 122;
}

namespace Sortie.Runners.Local;

/// <summary>What /proc says of processes: whether one runs, its children, its pid namespace, and who runs as a uid.</summary>
public static class Processes
{
    /// <summary>Whether a process still runs; a zombie has exited and only waits to be reaped.</summary>
    public static bool IsRunning(int pid)
    {
        try { return !File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].TrimStart().StartsWith('Z'); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    public static int[] ChildrenOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/task/{pid}/children")
                .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    /// <summary>The process's command line, arguments separated by spaces; empty if it is gone.</summary>
    public static string CommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }

    /// <summary>The pid namespace a process is in (the target of /proc/PID/ns/pid, e.g. "pid:[4026532871]"); null if it is gone.</summary>
    public static string? PidNamespace(int pid)
    {
        try { return new FileInfo($"/proc/{pid}/ns/pid").LinkTarget; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Every running process whose real, effective or saved uid is <paramref name="uid"/>.</summary>
    public static List<int> RunningAs(int uid)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string status;
            try { status = File.ReadAllText($"{dir}/status"); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            var line = status.Split('\n').FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            if (line is null) continue;
            var uids = line[4..].Split('\t', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (uids.Take(3).Any(u => u == uid.ToString(System.Globalization.CultureInfo.InvariantCulture)) && IsRunning(pid)) found.Add(pid);
        }
        return found;
    }
}

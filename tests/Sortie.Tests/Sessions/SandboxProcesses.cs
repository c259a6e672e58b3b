namespace Sortie.Tests.Sessions;

/// <summary>Reads /proc to find a session's sandbox: the bwrap process bound to its folder, and all below it.</summary>
public static class SandboxProcesses
{
    /// <summary>A process as seen once; <paramref name="StartTime"/> (clock ticks after boot) tells it from a later one with its pid.</summary>
    public sealed record Proc(int Pid, int ParentPid, int Uid, string Command, long StartTime);

    public static IReadOnlyList<Proc> Of(string sessionFolder)
    {
        var all = All();
        var roots = all.Where(p => p.Command.Contains(sessionFolder)).Select(p => p.Pid).ToHashSet();
        var tree = new HashSet<int>(roots);
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var p in all)
                if (!tree.Contains(p.Pid) && tree.Contains(p.ParentPid)) grew = tree.Add(p.Pid);
        }
        return all.Where(p => tree.Contains(p.Pid)).ToList();
    }

    /// <summary>
    /// The sandbox's processes once one matching <paramref name="expected"/> runs (an app starts just after its display) and
    /// no process came or went since the last look: the app's own children (xterm's shell) come a moment after it.
    /// </summary>
    public static async Task<IReadOnlyList<Proc>> WaitForAsync(string sessionFolder, string expected)
    {
        IReadOnlyList<Proc> last = [];
        for (var deadline = DateTime.UtcNow.AddSeconds(10); ; await Task.Delay(100))
        {
            var procs = Of(sessionFolder);
            var settled = procs.Select(p => p.Pid).ToHashSet().SetEquals(last.Select(p => p.Pid));
            if (procs.Any(p => p.Command.StartsWith(expected)) && settled || DateTime.UtcNow > deadline) return procs;
            last = procs;
        }
    }

    /// <summary>
    /// Whether that very process still runs: a zombie has exited (it only waits for its parent to read its status), and a
    /// process that took its pid since (pids wrap at 32768 on small machines) is another.
    /// </summary>
    public static bool IsAlive(Proc process)
    {
        var stat = ReadOrEmpty($"/proc/{process.Pid}/stat");
        return stat.Length > 0 && !stat.Split(')').Last().TrimStart().StartsWith('Z') && StartTimeIn(stat) == process.StartTime;
    }

    /// <summary>Field 22 of /proc/PID/stat (the 20th after the command's closing parenthesis).</summary>
    private static long StartTimeIn(string stat) =>
        long.TryParse(stat.Split(')').Last().Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(19), out var t) ? t : -1;

    /// <summary>The running processes (zombies aside) whose uid is <paramref name="uid"/>: a session's, after its end, must be none.</summary>
    public static IReadOnlyList<Proc> RunningAs(int uid) => All().Where(p => p.Uid == uid && IsAlive(p)).ToList();

    public static string NetworkNamespace(int pid) => new FileInfo($"/proc/{pid}/ns/net").LinkTarget ?? "";

    private static List<Proc> All()
    {
        var list = new List<Proc>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            var status = ReadOrEmpty($"{dir}/status");
            var cmd = ReadOrEmpty($"{dir}/cmdline").Replace('\0', ' ').Trim();
            if (status.Length == 0) continue;
            int Field(string name) => int.Parse(status.Split('\n').First(l => l.StartsWith(name)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
            list.Add(new Proc(pid, Field("PPid:"), Field("Uid:"), cmd, StartTimeIn(ReadOrEmpty($"{dir}/stat"))));
        }
        return list;
    }

    private static string ReadOrEmpty(string path)
    {
        try { return File.ReadAllText(path); } catch (IOException) { return ""; } catch (UnauthorizedAccessException) { return ""; }
    }
}

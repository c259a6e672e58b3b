using System.Globalization;

using Sortie.Platform;

namespace Sortie.Runners.Local;

/// <summary>
/// A control group for each session: its limits (memory, CPU, number of processes) hold for every process of the
/// sandbox, and ending the session kills every one of them, whatever the sandbox's own init does and wherever a
/// process reparented itself. cgroup v2 where the machine has it (one folder, <c>cgroup.kill</c>); else cgroup v1
/// (a folder per controller; the freezer stops forks while the processes are killed).
/// </summary>
public sealed class SessionCgroups
{
    private const string Mount = "/sys/fs/cgroup";
    private const string Group = "sortie";
    private readonly bool _v2;
    /// <summary>v2: the one parent folder; v1: the parent folder in each controller's hierarchy, by controller.</summary>
    private readonly Dictionary<string, string> _parents = new();

    /// <summary>Null when sessions get cgroups; else why not (they then run without limits).</summary>
    public string? Problem { get; }

    public SessionCgroups(ILogger<SessionCgroups> log)
    {
        try
        {
            if (Native.geteuid() != 0) Problem = "the server does not run as root";
            else if (File.Exists($"{Mount}/cgroup.controllers")) (_v2, Problem) = (true, SetUpV2());
            else Problem = SetUpV1();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Problem = e.Message;
        }
        if (Problem is not null)
        {
            _parents.Clear();
            log.LogWarning("Sessions run without resource limits: no control groups ({Problem})", Problem);
        }
    }

    public bool Available => Problem is null;

    private string? SetUpV2()
    {
        var available = File.ReadAllText($"{Mount}/cgroup.controllers").Split(' ', StringSplitOptions.TrimEntries);
        string[] wanted = [.. new[] { "memory", "pids", "cpu" }.Where(available.Contains)];
        if (!wanted.Contains("memory") || !wanted.Contains("pids")) return "cgroup v2 lacks the memory or pids controller";
        var parent = Path.Combine(Mount, Group);
        Directory.CreateDirectory(parent);
        var enable = string.Join(' ', wanted.Select(c => "+" + c));
        File.WriteAllText($"{Mount}/cgroup.subtree_control", enable);
        File.WriteAllText($"{parent}/cgroup.subtree_control", enable);
        _parents[""] = parent;
        return null;
    }

    private string? SetUpV1()
    {
        foreach (var controller in new[] { "memory", "pids", "cpu", "freezer" })
        {
            var hierarchy = Path.Combine(Mount, controller);
            if (!File.Exists(Path.Combine(hierarchy, "cgroup.procs"))) continue;
            var parent = Path.Combine(hierarchy, Group);
            Directory.CreateDirectory(parent);
            _parents[controller] = parent;
        }
        return _parents.ContainsKey("memory") && _parents.ContainsKey("pids") ? null : "no memory or pids controller";
    }

    private IEnumerable<string> Folders(Guid sessionId) => _parents.Values.Select(p => Path.Combine(p, sessionId.ToString("N")));

    private string Folder(Guid sessionId, string controller) =>
        Path.Combine(_parents[_v2 ? "" : controller], sessionId.ToString("N"));

    /// <summary>Creates the session's cgroup with its limits: the cgroup.procs files a process writes its pid to, to join it.</summary>
    public IReadOnlyList<string> Create(Guid sessionId, SessionLimits limits)
    {
        if (!Available) return [];
        foreach (var folder in Folders(sessionId)) Directory.CreateDirectory(folder);
        var memory = limits.MemoryBytes.ToString(CultureInfo.InvariantCulture);
        var quota = ((long)(limits.Cpus * 100_000)).ToString(CultureInfo.InvariantCulture);
        var processes = limits.Processes.ToString(CultureInfo.InvariantCulture);
        if (_v2)
        {
            var folder = Folder(sessionId, "");
            Write(folder, "memory.max", memory);
            TryWrite(folder, "memory.swap.max", "0");
            // When the kernel must kill for memory, it kills the whole session: no desktop half alive.
            TryWrite(folder, "memory.oom.group", "1");
            Write(folder, "pids.max", processes);
            TryWrite(folder, "cpu.max", $"{quota} 100000");
        }
        else
        {
            Write(Folder(sessionId, "memory"), "memory.limit_in_bytes", memory);
            TryWrite(Folder(sessionId, "memory"), "memory.memsw.limit_in_bytes", memory); // swap counts too, where accounted
            Write(Folder(sessionId, "pids"), "pids.max", processes);
            if (_parents.ContainsKey("cpu"))
            {
                TryWrite(Folder(sessionId, "cpu"), "cpu.cfs_period_us", "100000");
                TryWrite(Folder(sessionId, "cpu"), "cpu.cfs_quota_us", quota);
            }
        }
        return [.. Folders(sessionId).Select(f => Path.Combine(f, "cgroup.procs"))];
    }

    /// <summary>Every process in the session's cgroup (in any controller's, on v1).</summary>
    public HashSet<int> Pids(Guid sessionId)
    {
        var pids = new HashSet<int>();
        foreach (var folder in Folders(sessionId))
            foreach (var line in ReadOrEmpty(Path.Combine(folder, "cgroup.procs")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                if (int.TryParse(line, out var pid)) pids.Add(pid);
        return pids;
    }

    /// <summary>How many processes the kernel killed in the session for want of memory.</summary>
    public int OomKills(Guid sessionId)
    {
        if (!Available) return 0;
        var file = _v2 ? Path.Combine(Folder(sessionId, ""), "memory.events") : Path.Combine(Folder(sessionId, "memory"), "memory.oom_control");
        foreach (var line in ReadOrEmpty(file).Split('\n'))
            if (line.StartsWith("oom_kill ", StringComparison.Ordinal) && int.TryParse(line[9..], out var n)) return n;
        return 0;
    }

    /// <summary>
    /// Kills every process of the session and removes its cgroup. True when none is left (or it had no cgroup).
    /// A process forking as fast as it can is stopped first: cgroup.kill on v2, the freezer on v1.
    /// </summary>
    public async Task<bool> KillAllAsync(Guid sessionId)
    {
        if (!Available || !Folders(sessionId).Any(Directory.Exists)) return true;
        return await Poll.UntilAsync(() => KillRound(sessionId), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20))
            || Pids(sessionId).Count == 0;
    }

    /// <summary>One round of <see cref="KillAllAsync"/>: true once no process is left and the cgroup is gone.</summary>
    private bool KillRound(Guid sessionId)
    {
        var pids = Pids(sessionId);
        if (pids.Count == 0)
        {
            foreach (var folder in Folders(sessionId))
                try { if (Directory.Exists(folder)) Directory.Delete(folder); }
                catch (IOException) { } // not yet released by the kernel: the next round
            return !Folders(sessionId).Any(Directory.Exists);
        }
        if (_v2 && TryWrite(Folder(sessionId, ""), "cgroup.kill", "1")) return false;
        var freezer = _parents.ContainsKey("freezer") ? Folder(sessionId, "freezer") : null;
        if (freezer is not null) TryWrite(freezer, "freezer.state", "FROZEN");
        foreach (var pid in pids) Native.kill(pid, Native.SIGKILL);
        // A frozen process dies of SIGKILL only once thawed.
        if (freezer is not null) TryWrite(freezer, "freezer.state", "THAWED");
        return false;
    }

    private static void Write(string folder, string file, string value) => File.WriteAllText(Path.Combine(folder, file), value);

    private static bool TryWrite(string folder, string file, string value)
    {
        try
        {
            Write(folder, file, value);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    private static string ReadOrEmpty(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }
}

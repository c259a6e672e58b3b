using System.Diagnostics;

namespace Sortie.Runners.Local;

/// <summary>
/// Finds a session's processes in /proc, and waits for them to come or go. A recorded pid is believed only while its
/// command names the session's folder: pids are reused, and the server must never kill or adopt another's process.
/// </summary>
internal static class SandboxProcessScanner
{
    /// <summary>Whether <paramref name="pid"/> is still a process of this session's (its command names the folder), not another that took its pid since.</summary>
    public static bool BelongsTo(int pid, SessionFolder folder) =>
        Processes.IsRunning(pid) && Processes.CommandLine(pid).Contains(folder.FullPath + "/", StringComparison.Ordinal);

    /// <summary>The running process (sandbox or relay) of a record in the session's folder, with its uid and pid-namespace init (0: none).</summary>
    public static (Process Process, int Uid, int InitPid)? Find(SessionFolder folder, (int Pid, int Uid, int InitPid)? record)
    {
        if (record is not var (pid, uid, init) || !BelongsTo(pid, folder)) return null;
        try { return (Process.GetProcessById(pid), uid, BelongsTo(init, folder) ? init : 0); }
        catch (ArgumentException) { return null; } // it ended meanwhile
    }

    /// <summary>bwrap's child, the init of the sandbox's pid namespace, and that namespace, once bwrap has made them.</summary>
    public static async Task<(int InitPid, string PidNamespace)> FindInitAsync(Process bwrap, CancellationToken ct)
    {
        (int, string)? found = null;
        await Poll.UntilAsync(() => (found = InitOf(bwrap)) is not null || bwrap.HasExited, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(5), ct);
        if (found is { } init) return init;
        throw new RunnerException(bwrap.HasExited ? "The desktop exited while starting." : "The sandbox did not start.");
    }

    /// <summary>Kills whatever runs as <paramref name="uid"/> until nothing does; false if something still does after 10 s.</summary>
    public static Task<bool> KillAllRunningAsAsync(int uid) => Poll.UntilAsync(() =>
    {
        var left = Processes.RunningAs(uid);
        foreach (var pid in left) Native.kill(pid, Native.SIGKILL);
        return left.Count == 0;
    }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));

    /// <summary>Waits (up to 5 s) for a process to end.</summary>
    public static Task WaitUntilGoneAsync(int pid) =>
        Poll.UntilAsync(() => !Processes.IsRunning(pid), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10));

    private static (int, string)? InitOf(Process bwrap) =>
        Processes.ChildrenOf(bwrap.Id) is [var init, ..] && Processes.PidNamespace(init) is { } ns && ns != Processes.PidNamespace(bwrap.Id)
            ? (init, ns) : null;
}

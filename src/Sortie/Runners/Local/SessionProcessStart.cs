using System.Diagnostics;

namespace Sortie.Runners.Local;

/// <summary>
/// How the server starts a process of a session's (the sandbox, the relay). A root shell first puts itself in the
/// session's cgroup (writes its pid to each cgroup.procs file, so that everything after it is counted, limited and
/// killable there) and opens a file as descriptor 9; then setsid (a process session of its own, so that a signal to
/// the server's process group, Ctrl-C, leaves it be) and, as root, setpriv (the session's uid, no capabilities, no
/// way to gain any). The command that follows is the caller's to add. Nothing of the server's environment (which may
/// hold secrets) goes along.
/// </summary>
internal static class SessionProcessStart
{
    public static ProcessStartInfo Create(LocalRunnerOptions runner, IReadOnlyList<string> cgroup, string fd9, int uid)
    {
        var start = new ProcessStartInfo { FileName = runner.Shell, UseShellExecute = false };
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        const string join = """exec 9<"$1" || exit 125; shift; while [ "$1" != -- ]; do echo $$ >"$1" || exit 125; shift; done; shift; exec "$@" """;
        var args = start.ArgumentList;
        foreach (var a in new[] { "-c", join, "sortie-sandbox", fd9 }) args.Add(a);
        foreach (var procs in cgroup) args.Add(procs);
        args.Add("--");
        args.Add(runner.Setsid);
        if (SandboxUidPool.ServerIsRoot)
            foreach (var a in new[] { runner.Setpriv, $"--reuid={uid}", $"--regid={uid}", "--clear-groups", "--no-new-privs", "--" })
                args.Add(a);
        return start;
    }
}

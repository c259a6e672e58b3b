using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Sortie.Runners.Local;

/// <summary>
/// The command that starts a session's sandbox: bwrap, started the way every session process is (see
/// <see cref="SessionProcessStart"/>), with the seccomp filter as descriptor 9. Inside: a read-only system, private
/// /tmp and home, no network, its own namespaces and accounts, and the sandbox's init script, which starts Xvnc and
/// the app.
/// </summary>
internal static class BwrapCommand
{
    public static ProcessStartInfo Create(LocalRunnerOptions runner, SessionLaunch launch, SandboxPlan plan, SessionFolder folder, int uid,
        IReadOnlyList<string> cgroup, bool dieWithServer)
    {
        var start = SessionProcessStart.Create(runner, cgroup, folder.Seccomp, uid);
        // What the app reads on its standard input (an RDP password): see SandboxPlan.Input.
        start.RedirectStandardInput = true;
        start.StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        var args = start.ArgumentList;
        args.Add(runner.Bubblewrap);
        List<string> bwrap =
        [
            "--unshare-all", "--unshare-user", "--new-session", "--hostname", "sortie",
            "--seccomp", "9",
            "--uid", "1000", "--gid", "1000",
            "--ro-bind", "/usr", "/usr",
            "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
            "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
            "--ro-bind", "/etc", "/etc",
            // The sandbox's own accounts: it learns no host user names, and its user is called sortie.
            "--ro-bind", folder.Passwd, "/etc/passwd",
            "--ro-bind", folder.Group, "/etc/group",
        ];
        // Over the host's /etc/chromium: the sandbox's browser reads Sortie's policy and no other.
        if (plan.ChromiumPolicy is not null)
            bwrap.AddRange(["--tmpfs", "/etc/chromium", "--ro-bind", folder.ChromiumPolicy, "/etc/chromium/policies/managed/sortie.json"]);
        bwrap.AddRange(
        [
            "--proc", "/proc", "--dev", "/dev",
            "--tmpfs", "/tmp",
            "--bind", folder.Home, "/home/sortie",
            "--bind", folder.Run, "/run/sortie",
            "--ro-bind", folder.Init, "/run/init.sh",
            "--chdir", "/home/sortie",
            "--clearenv",
            "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin",
            "--setenv", "HOME", "/home/sortie",
            "--setenv", "USER", "sortie",
            "--setenv", "LANG", "C.UTF-8",
            "--setenv", "SORTIE_GEOMETRY", $"{launch.Width}x{launch.Height}",
            "--setenv", "SORTIE_DESKTOP_NAME", launch.DesktopName,
            "--setenv", "SORTIE_APP_COMMAND", plan.Command,
            "--setenv", "SORTIE_EGRESS_PORT", plan.Egress?.LocalPort.ToString(CultureInfo.InvariantCulture) ?? "",
            "/bin/bash", "/run/init.sh",
        ]);
        // Sessions that do not outlive the server must not outlive its crash either.
        if (dieWithServer) bwrap.Insert(bwrap.IndexOf("--new-session"), "--die-with-parent");
        foreach (var a in bwrap) args.Add(a);
        return start;
    }
}

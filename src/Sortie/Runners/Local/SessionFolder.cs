using System.Globalization;
using System.Text;

using Sortie.Platform;

namespace Sortie.Runners.Local;

/// <summary>
/// A session's folder. The folder is the server's own (0711: the sandbox's uid passes through it, to what bwrap
/// mounts, but cannot write in it); home/ and run/ are the sandbox's (mounted read-write in it: whatever is there is
/// hostile input, see <see cref="SandboxFiles"/>), relay/ its relay's (not mounted). Beside them, outside what the
/// sandbox sees, the server records the session's processes and what it runs, so that a restarted server finds them.
/// </summary>
internal sealed class SessionFolder(string path)
{
    private const string SandboxPidFile = "sandbox.pid";
    private const string RelayPidFile = "relay.pid";
    private const string EgressFile = "egress";
    private const string KindFile = "kind";
    private const string LimitsFile = "limits";
    private const UnixFileMode ServerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Readable = ServerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Traversable = ServerOnly | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private static readonly string InitScript = ReadInitScript();

    public string FullPath { get; } = path;

    public string Home => In("home");
    public string Run => In("run");
    public string Relay => In("relay");
    public string Passwd => In("passwd");
    public string Group => In("group");
    public string Init => In("init.sh");
    public string Seccomp => In("seccomp.bpf");
    public string ChromiumPolicy => In("chromium-policy.json");
    public string VncSocket => Path.Combine(Run, "vnc.sock");
    public string EgressSocket => Path.Combine(Run, "egress.sock");
    public string RelayLog => Path.Combine(Relay, "relay.log");

    /// <summary>Makes the folder afresh for a sandbox that runs <paramref name="plan"/> as <paramref name="uid"/>.</summary>
    public void Prepare(int uid, SandboxPlan plan, SessionLimits limits)
    {
        if (!Delete()) throw new RunnerException("The session's folder could not be prepared.");
        Directory.CreateDirectory(FullPath);
        File.SetUnixFileMode(FullPath, Traversable);
        string[] theirs = [Home, Run, Relay];
        foreach (var dir in theirs) Directory.CreateDirectory(dir, ServerOnly | UnixFileMode.UserExecute);
        WriteFile(Init, InitScript, Readable);
        WriteFile(Passwd, "root:x:0:0::/:/usr/sbin/nologin\nsortie:x:1000:1000:Sortie:/home/sortie:/bin/bash\n", Readable);
        WriteFile(Group, "root:x:0:\nsortie:x:1000:\n", Readable);
        WriteFile(In(KindFile), plan.Kind.ToString(), ServerOnly);
        WriteFile(In(LimitsFile), string.Create(CultureInfo.InvariantCulture, $"{limits.MemoryBytes} {limits.Cpus} {limits.Processes}"), ServerOnly);
        File.WriteAllBytes(Seccomp, SeccompFilter.ForThisMachine());
        if (plan.ChromiumPolicy is { } policy) WriteFile(ChromiumPolicy, policy, Readable);
        List<string> owned = [.. theirs];
        foreach (var (name, content) in plan.Files)
        {
            var file = Path.Combine(Run, Path.GetFileName(name));
            WriteFile(file, content, ServerOnly);
            owned.Add(file);
        }
        if (SandboxUidPool.ServerIsRoot)
            foreach (var file in owned)
                if (Native.chown(file, uid, uid) != 0) throw new RunnerException("The session's folder could not be prepared.");
    }

    /// <summary>Removes the folder without following a link in it; true when it is gone.</summary>
    public bool Delete() => SandboxFiles.DeleteTree(FullPath);

    public void RecordSandbox(int pid, int uid, int initPid) => File.WriteAllText(In(SandboxPidFile), $"{pid} {uid} {initPid}");

    public void RecordRelay(int pid, int uid, Egress egress)
    {
        File.WriteAllText(In(RelayPidFile), $"{pid} {uid}");
        File.WriteAllText(In(EgressFile), $"{egress.Host} {egress.Port} {egress.LocalPort}");
    }

    /// <summary>The sandbox's bwrap pid, uid and pid-namespace init as recorded (0: no init recorded).</summary>
    public (int Pid, int Uid, int InitPid)? SandboxRecord() => ReadPids(SandboxPidFile);

    /// <summary>The relay's pid and uid as recorded.</summary>
    public (int Pid, int Uid, int InitPid)? RelayRecord() => ReadPids(RelayPidFile);

    public ProgramKind? Kind() => Enum.TryParse<ProgramKind>(ReadOwn(KindFile), out var kind) ? kind : null;

    public SessionLimits? Limits() =>
        ReadOwn(LimitsFile)?.Split(' ') is [var m, var c, var p]
        && long.TryParse(m, CultureInfo.InvariantCulture, out var memory) && double.TryParse(c, CultureInfo.InvariantCulture, out var cpus)
        && int.TryParse(p, CultureInfo.InvariantCulture, out var processes)
            ? new SessionLimits(memory, cpus, processes) : null;

    /// <summary>The endpoint the session's relay connects, for a session that has one.</summary>
    public Egress? Egress() =>
        ReadOwn(EgressFile)?.Split(' ') is [var host, var port, var local]
        && int.TryParse(port, out var p) && int.TryParse(local, out var l) ? new Egress(host, p, l) : null;

    /// <summary>Why the sandbox's init says the session ended (run/exit, the sandbox's own file), if it said.</summary>
    public string? ExitNote(int uid) => SandboxFiles.ReadSmallText(Path.Combine(Run, "exit"), uid)?.Trim();

    public override string ToString() => FullPath;

    private string In(string name) => Path.Combine(FullPath, name);

    private (int Pid, int Uid, int InitPid)? ReadPids(string file) =>
        ReadOwn(file)?.Split(' ') is [var pid, var uid, .. var rest] && int.TryParse(pid, out var p) && int.TryParse(uid, out var u)
            ? (p, u, rest is [var init] && int.TryParse(init, out var i) ? i : 0) : null;

    /// <summary>A small file the server wrote here (trimmed), or null; read with the care of any file in the folder (no link followed, the server's own only).</summary>
    private string? ReadOwn(string file) => SandboxFiles.ReadSmallText(In(file), SandboxUidPool.ServerUid)?.Trim();

    /// <summary>Writes a new file, created with its final mode so that its content is never readable by more.</summary>
    private static void WriteFile(string path, string content, UnixFileMode mode)
    {
        using var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode });
        file.Write(Encoding.UTF8.GetBytes(content));
    }

    private static string ReadInitScript()
    {
        using var stream = typeof(SessionFolder).Assembly.GetManifestResourceStream("Sortie.Runners.sandbox-init.sh")
            ?? throw new InvalidOperationException("sandbox-init.sh is not embedded.");
        return new StreamReader(stream).ReadToEnd();
    }
}

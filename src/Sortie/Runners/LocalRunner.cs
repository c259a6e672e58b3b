using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Sortie.Platform;
using Sortie.Runners.Local;

namespace Sortie.Runners;

/// <summary>
/// Runs each session in its own bubblewrap sandbox on this machine: a read-only system, private /tmp and
/// home, no network, its own namespaces, a seccomp filter, a cgroup with its limits, and (when Sortie runs as root)
/// its own unprivileged uid. Xvnc listens only on a Unix socket in the session's folder, mode 0600, so only the
/// server can reach it. An RDP or web-proxy session may also reach one host and port outside, through a relay
/// (see <see cref="Egress"/>). Whatever the sandbox can write is hostile input: see <see cref="SandboxFiles"/>.
/// </summary>
public sealed class LocalRunner : ISessionRunner, IHostedService
{
    private sealed record Sandbox(Guid Id, Process Process, string Folder, int Uid, ProgramKind Kind, SessionLimits Limits)
    {
        public bool Stopping { get; set; }
        /// <summary>The init of the sandbox's pid namespace (bwrap's child): killing it kills everything inside.</summary>
        public int InitPid { get; set; }
        /// <summary>That namespace: a VNC peer outside it is not this session's Xvnc.</summary>
        public string? PidNamespace { get; set; }
        public string Socket => Path.Combine(Folder, "run", "vnc.sock");
        public string ExitFile => Path.Combine(Folder, "run", "exit");
    }

    private const string DefaultRuntimeRoot = "/run/sortie";
    // Kept in the session's folder, outside what the sandbox sees (only home/ and run/ are mounted in it), so that
    // a restarted server finds the session's processes and knows what it runs. The folder itself is the server's:
    // the sandbox's uid may pass through it, not write in it.
    private const string PidFile = "sandbox.pid";
    private const string SeccompFile = "seccomp.bpf";
    private const string ChromiumPolicyFile = "chromium-policy.json";
    private const string RelayPidFile = "relay.pid";
    private const string EgressFile = "egress";
    private const string KindFile = "kind";
    private const string LimitsFile = "limits";
    private const UnixFileMode TraverseOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private static readonly string InitScript = ReadInitScript();
    private readonly ConcurrentDictionary<Guid, Sandbox> _sandboxes = new();
    private readonly Dictionary<Guid, Task> _stops = new();
    private readonly SortieOptions _options;
    private readonly LocalRunnerOptions _runner;
    private readonly SandboxPlanner _planner;
    private readonly SessionCgroups _cgroups;
    private readonly ILogger<LocalRunner> _log;
    private static readonly int ServerUid = (int)Native.geteuid();
    private readonly bool _isRoot = ServerUid == 0;

    public LocalRunner(SortieOptions options, LocalRunnerOptions runner, SandboxPlanner planner, SessionCgroups cgroups, ILogger<LocalRunner> log)
    {
        _options = options;
        _runner = runner;
        _planner = planner;
        _cgroups = cgroups;
        _log = log;
    }

    public event Action<Guid, string>? SessionExited;
    public IReadOnlyCollection<Guid> ActiveSessions => _sandboxes.Keys.ToArray();

    /// <summary>Sandboxes live on this machine: no other server holds them.</summary>
    public bool HoldsEverySession => true;

    public string? Problem()
    {
        string[] needed = _isRoot ? [_runner.Setsid, _runner.Bubblewrap, _runner.Xvnc, _runner.Setpriv] : [_runner.Setsid, _runner.Bubblewrap, _runner.Xvnc];
        var missing = needed.Where(p => !File.Exists(p)).ToArray();
        if (missing.Length > 0) return $"missing: {string.Join(", ", missing)} (run ./run.sh to install them)";
        // Sandboxes run as other uids, which must be able to pass through every folder above their own.
        if (_isRoot)
            for (var dir = Directory.GetParent(_options.SessionsDir); dir is not null; dir = dir.Parent)
                if (dir.Exists && (dir.UnixFileMode & UnixFileMode.OtherExecute) == 0)
                    return $"sandboxes cannot reach {_options.SessionsDir}: {dir.FullName} is closed to other users (set SORTIE_RUNTIME_DIR)";
        return null;
    }

    public async Task StartAsync(SessionLaunch launch, CancellationToken ct)
    {
        if (Problem() is { } problem) throw new RunnerException($"The local runner cannot start sessions: {problem}.");
        var plan = await _planner.PlanAsync(launch, ct);
        var folder = _options.SessionFolder(launch.SessionId);
        var uid = _isRoot ? AllocateUid(launch.SessionId) : ServerUid;
        var limits = _options.SessionLimits.With(launch.Limits);
        PrepareFolder(folder, uid, plan, limits);
        var cgroup = _cgroups.Create(launch.SessionId, limits);

        var process = new Process { StartInfo = SandboxCommand(launch, plan, folder, uid, cgroup), EnableRaisingEvents = true };
        var sandbox = new Sandbox(launch.SessionId, process, folder, uid, plan.Kind, limits);
        if (!_sandboxes.TryAdd(launch.SessionId, sandbox)) throw new RunnerException("The session is already running.");
        try
        {
            if (plan.Egress is { } egress) await StartRelayAsync(folder, uid, egress, cgroup, ct);
            process.Start();
            await HandInputAsync(process, plan.Input);
            await FindInitAsync(sandbox, ct);
            File.WriteAllText(Path.Combine(folder, PidFile), $"{process.Id} {uid} {sandbox.InitPid}");
            _ = WatchAsync(sandbox);
            await WaitForVncAsync(sandbox, ct);
            _log.LogInformation("Session {SessionId} started in sandbox pid {Pid} as uid {Uid}", launch.SessionId, process.Id, uid);
        }
        catch (Exception e)
        {
            await StopAsync(launch.SessionId);
            if (e is RunnerException or OperationCanceledException) throw;
            _log.LogError(e, "Session {SessionId} failed to start", launch.SessionId);
            throw new RunnerException("The desktop could not be started.");
        }
    }

    public async Task<bool> ResumeAsync(Guid sessionId, CancellationToken ct)
    {
        var folder = _options.SessionFolder(sessionId);
        if (FindProcess(folder, PidFile) is not var (process, uid, initPid)) return false;
        // A sandbox started before the init was recorded: bwrap's child, while bwrap still runs.
        if (initPid == 0) initPid = Processes.ChildrenOf(process.Id).FirstOrDefault(pid => IsSandboxProcess(pid, folder));
        var kind = Enum.TryParse<ProgramKind>(ReadOwn(Path.Combine(folder, KindFile)), out var k) ? k : ProgramKind.Desktop;
        var limits = ReadOwn(Path.Combine(folder, LimitsFile))?.Split(' ') is [var m, var c, var p]
            && long.TryParse(m, CultureInfo.InvariantCulture, out var memory) && double.TryParse(c, CultureInfo.InvariantCulture, out var cpus)
            && int.TryParse(p, CultureInfo.InvariantCulture, out var processes)
            ? new SessionLimits(memory, cpus, processes) : _options.SessionLimits;
        var sandbox = new Sandbox(sessionId, process, folder, uid, kind, limits) { InitPid = initPid, PidNamespace = Processes.PidNamespace(initPid) };
        if (!_sandboxes.TryAdd(sessionId, sandbox)) return true;
        if (sandbox.PidNamespace is null || !await AnswersRfbAsync(sandbox, ct))
        {
            await StopAsync(sessionId);
            return false;
        }
        // The relay normally outlives the server with the sandbox; one that did not is started again.
        if (ReadEgress(folder) is { } egress && FindProcess(folder, RelayPidFile) is null)
        {
            try { await StartRelayAsync(folder, uid, egress, _cgroups.Create(sessionId, limits), ct); }
            catch (RunnerException e) { _log.LogWarning("Session {SessionId}: {Problem}", sessionId, e.Message); }
        }
        _ = WatchAsync(sandbox);
        _log.LogInformation("Session {SessionId} resumed: sandbox pid {Pid} outlived the last server", sessionId, process.Id);
        return true;
    }

    /// <summary>Stops a sandbox; a second caller (say, shutdown while a session ends) waits for the same stop.</summary>
    public Task StopAsync(Guid sessionId)
    {
        lock (_stops)
        {
            if (_stops.TryGetValue(sessionId, out var stopping)) return stopping;
            if (!_sandboxes.TryRemove(sessionId, out var sandbox)) return Task.CompletedTask;
            var stop = Task.Run(() => StopSandboxAsync(sandbox));
            _stops[sessionId] = stop;
            stop.ContinueWith(_ => { lock (_stops) _stops.Remove(sessionId); }, TaskScheduler.Default);
            return stop;
        }
    }

    private async Task StopSandboxAsync(Sandbox sandbox)
    {
        sandbox.Stopping = true;
        try
        {
            if (!sandbox.Process.HasExited) sandbox.Process.Kill(entireProcessTree: true);
            await sandbox.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // Whatever bwrap did, what follows kills the session's processes.
            _log.LogWarning("Session {SessionId}: the sandbox's bwrap did not exit promptly ({Problem})", sandbox.Id, e.Message);
        }
        finally
        {
            sandbox.Process.Dispose();
        }
        await EndEverythingAsync(sandbox.Id, sandbox.Folder, sandbox.Uid, sandbox.InitPid);
    }

    /// <summary>
    /// Kills every process of a session, whatever its own init does (bwrap's init waits for every child, so a process
    /// started with setsid keeps it, and Xvnc, alive after the app is gone): the pid namespace's init, then the cgroup,
    /// then (as root) anything left running as the session's uid, such as the relay. Only once none is left does the
    /// folder go, without following a link in it; if some process will not die, the folder stays for the next start.
    /// </summary>
    private async Task EndEverythingAsync(Guid sessionId, string folder, int uid, int initPid)
    {
        if (initPid > 0 && IsSandboxProcess(initPid, folder)) Native.kill(initPid, Native.SIGKILL);
        var cgroupEmpty = await _cgroups.KillAllAsync(sessionId);
        var uidEmpty = true;
        if (_isRoot && uid != ServerUid)
        {
            uidEmpty = false;
            for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(20))
            {
                var left = Processes.RunningAs(uid);
                if (left.Count == 0) { uidEmpty = true; break; }
                foreach (var pid in left) Native.kill(pid, Native.SIGKILL);
            }
        }
        else
        {
            KillRelay(folder);
            for (var deadline = DateTime.UtcNow.AddSeconds(5); initPid > 0 && Processes.IsRunning(initPid) && DateTime.UtcNow < deadline;)
                await Task.Delay(10);
        }
        if (!cgroupEmpty || !uidEmpty)
        {
            _log.LogError("Session {SessionId}: some of its processes would not die; its folder {Folder} is kept", sessionId, folder);
            return;
        }
        try
        {
            if (SandboxFiles.DeleteTree(folder)) return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // a tree made to resist: left for an operator
        _log.LogWarning("Session {SessionId}: its folder {Folder} could not be removed", sessionId, folder);
    }

    public async Task<Stream> ConnectAsync(Guid sessionId, CancellationToken ct)
    {
        if (!_sandboxes.TryGetValue(sessionId, out var sandbox)) throw new RunnerException("The session is not running.");
        // A Unix socket refuses at once (EAGAIN) while Xvnc's listen backlog is full, as when many viewers arrive
        // together: that is a moment to wait, not a failure.
        for (var delay = 5; ; delay = Math.Min(delay * 2, 200))
        {
            try { return new NetworkStream(await ConnectVncAsync(sandbox, ct), ownsSocket: true); }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TryAgain or SocketError.WouldBlock && delay < 200) { }
            await Task.Delay(delay, ct);
        }
    }

    /// <summary>
    /// Connects to the session's own Xvnc, and nothing else: not a link the user put at the socket's name (say, to
    /// another session's socket, or to one of the host's), nor a socket whose listener is outside the session's sandbox.
    /// </summary>
    private async Task<Socket> ConnectVncAsync(Sandbox sandbox, CancellationToken ct)
    {
        try
        {
            return await SandboxFiles.ConnectAsync(sandbox.Socket, sandbox.Uid,
                peer => sandbox.PidNamespace is { } own && Processes.PidNamespace(peer.Pid) == own, ct);
        }
        catch (IOException e)
        {
            _log.LogWarning("Session {SessionId}: refused to connect its VNC socket: {Problem}", sandbox.Id, e.Message);
            throw;
        }
    }

    Task IHostedService.StartAsync(CancellationToken ct) => SweepAsync();

    /// <summary>
    /// Folders of sessions not resumed (ended while the server was away, or never to run again) go, with any
    /// process still running in them.
    /// </summary>
    private async Task SweepAsync()
    {
        if (Directory.Exists(_options.SessionsDir))
            foreach (var dir in Directory.GetDirectories(_options.SessionsDir))
            {
                if (!Guid.TryParseExact(Path.GetFileName(dir), "N", out var id) || _sandboxes.ContainsKey(id)) continue;
                var found = FindProcess(dir, PidFile);
                if (found is var (process, _, _)) using (process) if (!process.HasExited) process.Kill(entireProcessTree: true);
                var uid = found?.Uid ?? ReadPidFile(dir, PidFile)?.Uid ?? ServerUid;
                await EndEverythingAsync(id, dir, uid, found?.InitPid ?? 0);
            }
        // A sandbox's uid passes through to its own folder but cannot list the others.
        Directory.CreateDirectory(_options.SessionsDir);
        File.SetUnixFileMode(_options.SessionsDir, TraverseOnly);
        var parent = Path.GetDirectoryName(_options.SessionsDir);
        if (parent == DefaultRuntimeRoot) File.SetUnixFileMode(parent, TraverseOnly);
    }

    async Task IHostedService.StopAsync(CancellationToken ct)
    {
        if (!_options.StopSessionsOnExit)
        {
            if (!_sandboxes.IsEmpty)
                _log.LogInformation("{Count} sessions keep running, to be resumed at the next start", _sandboxes.Count);
            return;
        }
        Task[] stopping;
        lock (_stops) stopping = [.. _sandboxes.Keys.Select(StopAsync), .. _stops.Values];
        await Task.WhenAll(stopping);
        try { Directory.Delete(_options.SessionsDir); } catch (IOException) { } // only when empty
    }

    /// <summary>
    /// The command that starts a sandbox. A root shell first puts itself in the session's cgroup (so that everything
    /// after it is counted, limited and killable there) and opens the seccomp filter as descriptor 9 for bwrap; then
    /// setsid, setpriv (as root: the session's uid, no capabilities, no new privileges) and bwrap.
    /// </summary>
    private ProcessStartInfo SandboxCommand(SessionLaunch launch, SandboxPlan plan, string folder, int uid, IReadOnlyList<string> cgroup)
    {
        var start = InCgroup(cgroup, Path.Combine(folder, SeccompFile));
        start.RedirectStandardInput = true;
        start.StandardInputEncoding = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        var args = start.ArgumentList;
        // A session of its own, so that a signal to the server's process group (Ctrl-C) leaves sandboxes be.
        args.Add(_runner.Setsid);
        AsSandboxUser(args, uid);
        args.Add(_runner.Bubblewrap);
        string[] bwrap =
        [
            "--unshare-all", "--unshare-user", "--new-session", "--hostname", "sortie",
            "--seccomp", "9",
            "--uid", "1000", "--gid", "1000",
            "--ro-bind", "/usr", "/usr",
            "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
            "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
            "--ro-bind", "/etc", "/etc",
            // The sandbox's own accounts: it learns no host user names, and its user is called sortie.
            "--ro-bind", Path.Combine(folder, "passwd"), "/etc/passwd",
            "--ro-bind", Path.Combine(folder, "group"), "/etc/group",
            "--proc", "/proc", "--dev", "/dev",
            "--tmpfs", "/tmp",
            "--bind", Path.Combine(folder, "home"), "/home/sortie",
            "--bind", Path.Combine(folder, "run"), "/run/sortie",
            "--ro-bind", Path.Combine(folder, "init.sh"), "/run/init.sh",
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
        ];
        foreach (var a in bwrap) args.Add(a);
        if (plan.ChromiumPolicy is not null)
        {
            // Over the host's /etc/chromium: the sandbox's browser reads Sortie's policy and no other.
            var at = args.IndexOf("--proc");
            foreach (var a in new[] { "--tmpfs", "/etc/chromium", "--ro-bind", Path.Combine(folder, ChromiumPolicyFile), "/etc/chromium/policies/managed/sortie.json" })
                args.Insert(at++, a);
        }
        if (_options.StopSessionsOnExit) args.Insert(args.IndexOf("--new-session"), "--die-with-parent");
        return start;
    }

    /// <summary>
    /// A root shell that joins the cgroup (writes its pid to each cgroup.procs file), opens <paramref name="fd9"/> as
    /// descriptor 9, then becomes the command that follows in the argument list. Nothing of the server's environment
    /// (which may hold secrets) goes along.
    /// </summary>
    private ProcessStartInfo InCgroup(IReadOnlyList<string> cgroup, string fd9)
    {
        var start = new ProcessStartInfo { FileName = _runner.Shell, UseShellExecute = false };
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        const string join = """exec 9<"$1" || exit 125; shift; while [ "$1" != -- ]; do echo $$ >"$1" || exit 125; shift; done; shift; exec "$@" """;
        foreach (var a in new[] { "-c", join, "sortie-sandbox", fd9 }) start.ArgumentList.Add(a);
        foreach (var procs in cgroup) start.ArgumentList.Add(procs);
        start.ArgumentList.Add("--");
        return start;
    }

    /// <summary>As root, what runs for a session runs as the session's own uid, with no capabilities and no way to gain any.</summary>
    private void AsSandboxUser(System.Collections.ObjectModel.Collection<string> args, int uid)
    {
        if (!_isRoot) return;
        foreach (var a in new[] { _runner.Setpriv, $"--reuid={uid}", $"--regid={uid}", "--clear-groups", "--no-new-privs", "--" })
            args.Add(a);
    }

    /// <summary>
    /// The session's folder: the server's own (0711: the sandbox's uid passes through, to what bwrap mounts), with
    /// home/ and run/ the sandbox's (mounted read-write in it) and relay/ its relay's (not mounted).
    /// </summary>
    private void PrepareFolder(string folder, int uid, SandboxPlan plan, SessionLimits limits)
    {
        if (!SandboxFiles.DeleteTree(folder)) throw new RunnerException("The session's folder could not be prepared.");
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        string[] theirs = [Path.Combine(folder, "home"), Path.Combine(folder, "run"), Path.Combine(folder, "relay")];
        foreach (var dir in theirs) Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        const UnixFileMode readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        WriteFile(Path.Combine(folder, "init.sh"), InitScript, readable);
        WriteFile(Path.Combine(folder, "passwd"), "root:x:0:0::/:/usr/sbin/nologin\nsortie:x:1000:1000:Sortie:/home/sortie:/bin/bash\n", readable);
        WriteFile(Path.Combine(folder, "group"), "root:x:0:\nsortie:x:1000:\n", readable);
        WriteFile(Path.Combine(folder, KindFile), plan.Kind.ToString(), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        WriteFile(Path.Combine(folder, LimitsFile), string.Create(CultureInfo.InvariantCulture, $"{limits.MemoryBytes} {limits.Cpus} {limits.Processes}"),
            UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllBytes(Path.Combine(folder, SeccompFile), SeccompFilter.ForThisMachine());
        if (plan.ChromiumPolicy is { } policy) WriteFile(Path.Combine(folder, ChromiumPolicyFile), policy, readable);
        List<string> owned = [.. theirs];
        foreach (var (name, content) in plan.Files)
        {
            var path = Path.Combine(folder, "run", Path.GetFileName(name));
            WriteFile(path, content, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            owned.Add(path);
        }
        if (_isRoot)
            foreach (var path in owned)
                if (Native.chown(path, uid, uid) != 0) throw new RunnerException("The session's folder could not be prepared.");
    }

    /// <summary>Writes a new file, created with its final mode so that its content is never readable by more.</summary>
    private static void WriteFile(string path, string content, UnixFileMode mode)
    {
        using var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode });
        file.Write(System.Text.Encoding.UTF8.GetBytes(content));
    }
    /// <summary>
    /// Writes what the app reads on its standard input (an RDP password), then closes it. The pipe holds it until
    /// the app reads it, so nothing here waits for the sandbox.
    /// </summary>
    private static async Task HandInputAsync(Process process, string? input)
    {
        try
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input);
                await process.StandardInput.FlushAsync();
            }
        }
        catch (IOException) { } // the sandbox already ended; WaitForVncAsync says so
        finally { process.StandardInput.Close(); }
    }


    /// <summary>
    /// Starts the relay of a session's one allowed endpoint: socat, outside the sandbox and so on the host's network,
    /// as the sandbox's uid and in its cgroup, listening on run/egress.sock (0600: that uid and root only) and
    /// connecting <see cref="Egress.Host"/>:<see cref="Egress.Port"/> for each connection, nothing else. Like the
    /// sandbox it has a process session of its own and outlives a server restart; the sandbox cannot see or signal it
    /// (its own pid namespace).
    /// </summary>
    private async Task StartRelayAsync(string folder, int uid, Egress egress, IReadOnlyList<string> cgroup, CancellationToken ct)
    {
        var socket = Path.Combine(folder, "run", "egress.sock");
        // socat's address syntax gives these characters meanings of their own.
        if (socket.IndexOfAny([',', ':', '!', '\\', '"', '\'', ' ']) >= 0)
            throw new RunnerException($"Sessions that reach the network need a runtime folder whose path has no , : ! or spaces ({folder}); set SORTIE_RUNTIME_DIR.");
        var start = InCgroup(cgroup, "/dev/null");
        var args = start.ArgumentList;
        args.Add(_runner.Setsid);
        AsSandboxUser(args, uid);
        var host = egress.Host.Contains(':') ? $"[{egress.Host}]" : egress.Host;
        foreach (var a in new[] { _runner.Socat, "-lf", Path.Combine(folder, "relay", "relay.log"),
                     $"UNIX-LISTEN:{socket},fork,unlink-early,mode=600", $"TCP:{host}:{egress.Port},connect-timeout=10" })
            args.Add(a);
        using (var relay = Process.Start(start) ?? throw new RunnerException("The session's network relay could not be started."))
        {
            File.WriteAllText(Path.Combine(folder, RelayPidFile), $"{relay.Id} {uid}");
            File.WriteAllText(Path.Combine(folder, EgressFile), $"{egress.Host} {egress.Port} {egress.LocalPort}");
            // The socket is in run/, which the sandbox can write: only its type is looked at, without following a link.
            for (var deadline = DateTime.UtcNow.AddSeconds(10); !SandboxFiles.IsSocket(socket); await Task.Delay(10, ct))
                if (relay.HasExited || DateTime.UtcNow > deadline)
                    throw new RunnerException("The session's network relay could not be started.");
        }
    }

    /// <summary>Stops the relay (with the connections it forked) when no sweep by uid can: the server is not root.</summary>
    private static void KillRelay(string folder)
    {
        if (FindProcess(folder, RelayPidFile) is not var (relay, _, _)) return;
        using (relay)
        {
            try { relay.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { } // it ended meanwhile
        }
    }

    private static Egress? ReadEgress(string folder) =>
        ReadOwn(Path.Combine(folder, EgressFile))?.Split(' ') is [var host, var port, var local]
            && int.TryParse(port, out var p) && int.TryParse(local, out var l) ? new Egress(host, p, l) : null;

    /// <summary>A small file the server wrote in a session's folder (trimmed), or null.</summary>
    private static string? ReadOwn(string path) => SandboxFiles.ReadSmallText(path, ServerUid)?.Trim();

    /// <summary>bwrap's child, the init of the sandbox's pid namespace, and that namespace.</summary>
    private static async Task FindInitAsync(Sandbox sandbox, CancellationToken ct)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(5); ; await Task.Delay(5, ct))
        {
            if (Processes.ChildrenOf(sandbox.Process.Id) is [var init, ..] && Processes.PidNamespace(init) is { } ns
                && ns != Processes.PidNamespace(sandbox.Process.Id))
            {
                (sandbox.InitPid, sandbox.PidNamespace) = (init, ns);
                return;
            }
            if (sandbox.Process.HasExited) throw new RunnerException("The desktop exited while starting.");
            if (DateTime.UtcNow > deadline) throw new RunnerException("The sandbox did not start.");
        }
    }

    private async Task WaitForVncAsync(Sandbox sandbox, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_runner.StartTimeout);
        while (true)
        {
            if (sandbox.Process.HasExited) throw new RunnerException("The desktop exited while starting.");
            if (await AnswersRfbAsync(sandbox, timeout.Token)) return;
            try { await Task.Delay(20, timeout.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new RunnerException($"The desktop did not start within {_runner.StartTimeout.TotalSeconds:0} s.");
            }
        }
    }

    private async Task<bool> AnswersRfbAsync(Sandbox sandbox, CancellationToken ct)
    {
        try
        {
            await using var stream = new NetworkStream(await ConnectVncAsync(sandbox, ct), ownsSocket: true);
            var banner = new byte[12];
            await stream.ReadExactlyAsync(banner, ct);
            return Sortie.Rfb.RfbBanner.IsRfb(banner);
        }
        catch (Exception e) when (e is SocketException or IOException or EndOfStreamException)
        {
            return false;
        }
    }

    /// <summary>
    /// Waits for the sandbox to end by itself, or to run out of memory: a kill by the kernel's OOM killer anywhere in
    /// the session ends it, with that reason (a desktop with its app or display killed is no desktop).
    /// </summary>
    private async Task WatchAsync(Sandbox sandbox)
    {
        var exited = sandbox.Process.WaitForExitAsync();
        string? reason = null;
        while (!exited.IsCompleted && !sandbox.Stopping)
        {
            await Task.WhenAny(exited, Task.Delay(500));
            if (_cgroups.OomKills(sandbox.Id) > 0) reason = ExitReasons.OutOfMemory(sandbox.Limits.MemoryText);
            if (reason is not null) break;
        }
        if (sandbox.Stopping) return;
        if (_cgroups.OomKills(sandbox.Id) > 0) reason = ExitReasons.OutOfMemory(sandbox.Limits.MemoryText);
        reason ??= ExitReasons.For(sandbox.Kind, SandboxFiles.ReadSmallText(sandbox.ExitFile, sandbox.Uid)?.Trim());
        _log.LogInformation("Session {SessionId} ended by itself: {Reason}", sandbox.Id, reason);
        await StopAsync(sandbox.Id);
        SessionExited?.Invoke(sandbox.Id, reason);
    }

    /// <summary>
    /// A uid of the session's own, drawn from its id, so that two servers on one machine (or one server
    /// restarted while an old sandbox lingers) do not hand out the same uid; one that any process runs as is skipped.
    /// Unique it must be: ending a session kills whatever still runs as its uid.
    /// </summary>
    private int AllocateUid(Guid sessionId)
    {
        var used = _sandboxes.Values.Select(s => s.Uid).ToHashSet();
        var offset = (int)(BitConverter.ToUInt32(sessionId.ToByteArray(), 12) % (uint)_runner.SandboxUidCount);
        var uid = _runner.FirstSandboxUid + offset;
        while (used.Contains(uid) || Processes.RunningAs(uid).Count > 0)
            uid = _runner.FirstSandboxUid + (uid - _runner.FirstSandboxUid + 1) % _runner.SandboxUidCount;
        return uid;
    }

    /// <summary>The pid, uid and (sandboxes) pid-namespace init recorded in a session's folder.</summary>
    private static (int Pid, int Uid, int InitPid)? ReadPidFile(string folder, string pidFile) =>
        ReadOwn(Path.Combine(folder, pidFile))?.Split(' ') is [var pid, var uid, .. var rest]
            && int.TryParse(pid, out var p) && int.TryParse(uid, out var u)
            ? (p, u, rest is [var init] && int.TryParse(init, out var i) ? i : 0) : null;

    /// <summary>Whether <paramref name="pid"/> is still a process of this session's (its command names the folder), not another that took its pid since.</summary>
    private static bool IsSandboxProcess(int pid, string folder) =>
        Processes.IsRunning(pid) && Processes.CommandLine(pid).Contains(folder + "/", StringComparison.Ordinal);

    /// <summary>The running process (sandbox or relay) recorded in a session's folder, with its uid and pid-namespace init.</summary>
    private static (Process Process, int Uid, int InitPid)? FindProcess(string folder, string pidFile)
    {
        if (ReadPidFile(folder, pidFile) is not var (pid, uid, init) || !IsSandboxProcess(pid, folder)) return null;
        try { return (Process.GetProcessById(pid), uid, IsSandboxProcess(init, folder) ? init : 0); }
        catch (ArgumentException) { return null; } // it ended meanwhile
    }

    private static string ReadInitScript()
    {
        using var stream = typeof(LocalRunner).Assembly.GetManifestResourceStream("Sortie.Runners.sandbox-init.sh")
            ?? throw new InvalidOperationException("sandbox-init.sh is not embedded.");
        return new StreamReader(stream).ReadToEnd();
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Sortie.Hosting;

namespace Sortie.Runners;

/// <summary>
/// Runs each session in its own bubblewrap sandbox on this machine: a read-only system, private /tmp and
/// home, no network, its own namespaces, and (when Sortie runs as root) its own unprivileged uid. Xvnc
/// listens only on a Unix socket in the session's folder, mode 0600, so only the server can reach it.
/// An RDP or web-proxy session may also reach one host and port outside, through a relay (see <see cref="Egress"/>).
/// </summary>
public sealed class LocalRunner : ISessionRunner, IHostedService
{
    private sealed record Sandbox(Process Process, string Folder, int Uid, ProgramKind Kind)
    {
        public bool Stopping { get; set; }
        public string Socket => Path.Combine(Folder, "run", "vnc.sock");
    }

    private const string DefaultRuntimeRoot = "/run/sortie";
    // Kept in the session's folder, outside what the sandbox sees (only home/ and run/ are mounted in it), so that
    // a restarted server finds the session's processes and knows what it runs.
    private const string PidFile = "sandbox.pid";
    private const string RelayPidFile = "relay.pid";
    private const string EgressFile = "egress";
    private const string KindFile = "kind";
    private const UnixFileMode TraverseOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private static readonly string InitScript = ReadInitScript();
    private readonly ConcurrentDictionary<Guid, Sandbox> _sandboxes = new();
    private readonly Dictionary<Guid, Task> _stops = new();
    private readonly SortieOptions _options;
    private readonly LocalRunnerOptions _runner;
    private readonly SandboxPlanner _planner;
    private readonly ILogger<LocalRunner> _log;
    private readonly bool _isRoot = geteuid() == 0;

    public LocalRunner(SortieOptions options, LocalRunnerOptions runner, SandboxPlanner planner, ILogger<LocalRunner> log)
    {
        _options = options;
        _runner = runner;
        _planner = planner;
        _log = log;
    }

    public event Action<Guid, string>? SessionExited;
    public IReadOnlyCollection<Guid> ActiveSessions => _sandboxes.Keys.ToArray();

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
        var uid = _isRoot ? AllocateUid(launch.SessionId) : (int)geteuid();
        PrepareFolder(folder, uid, plan);

        var process = new Process { StartInfo = SandboxCommand(launch, plan, folder, uid), EnableRaisingEvents = true };
        var sandbox = new Sandbox(process, folder, uid, plan.Kind);
        if (!_sandboxes.TryAdd(launch.SessionId, sandbox)) throw new RunnerException("The session is already running.");
        try
        {
            if (plan.Egress is { } egress) await StartRelayAsync(folder, uid, egress, ct);
            process.Start();
            await HandInputAsync(process, plan.Input);
            File.WriteAllText(Path.Combine(folder, PidFile), $"{process.Id} {uid}");
            _ = WatchAsync(launch.SessionId, sandbox);
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
        if (FindProcess(folder, PidFile) is not var (process, uid)) return false;
        var kind = Enum.TryParse<ProgramKind>(ReadOrNull(Path.Combine(folder, KindFile)), out var k) ? k : ProgramKind.Desktop;
        var sandbox = new Sandbox(process, folder, uid, kind);
        if (!_sandboxes.TryAdd(sessionId, sandbox)) return true;
        if (!await AnswersRfbAsync(sandbox.Socket, ct))
        {
            await StopAsync(sessionId);
            return false;
        }
        // The relay normally outlives the server with the sandbox; one that did not is started again.
        if (ReadEgress(folder) is { } egress && FindProcess(folder, RelayPidFile) is null)
        {
            try { await StartRelayAsync(folder, uid, egress, ct); }
            catch (RunnerException e) { _log.LogWarning("Session {SessionId}: {Problem}", sessionId, e.Message); }
        }
        _ = WatchAsync(sessionId, sandbox);
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
            var stop = Task.Run(() => StopSandboxAsync(sessionId, sandbox));
            _stops[sessionId] = stop;
            stop.ContinueWith(_ => { lock (_stops) _stops.Remove(sessionId); }, TaskScheduler.Default);
            return stop;
        }
    }

    private async Task StopSandboxAsync(Guid sessionId, Sandbox sandbox)
    {
        sandbox.Stopping = true;
        try
        {
            // bwrap's child is the init of the sandbox's pid namespace; the kernel kills every process inside
            // before that init finishes exiting, so once it has, nothing of the session runs any more.
            var init = ChildrenOf(sandbox.Process);
            if (!sandbox.Process.HasExited) sandbox.Process.Kill(entireProcessTree: true);
            await sandbox.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
            for (var deadline = DateTime.UtcNow.AddSeconds(5); init.Any(IsRunning) && DateTime.UtcNow < deadline;)
                await Task.Delay(10);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            _log.LogWarning("Session {SessionId}: sandbox did not exit promptly", sessionId);
        }
        finally
        {
            sandbox.Process.Dispose();
            KillRelay(sandbox.Folder);
            RemoveFolder(sandbox.Folder);
        }
    }

    public async Task<Stream> ConnectAsync(Guid sessionId, CancellationToken ct)
    {
        if (!_sandboxes.TryGetValue(sessionId, out var sandbox)) throw new RunnerException("The session is not running.");
        // A Unix socket refuses at once (EAGAIN) while Xvnc's listen backlog is full, as when many viewers arrive
        // together: that is a moment to wait, not a failure.
        for (var delay = 5; ; delay = Math.Min(delay * 2, 200))
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(sandbox.Socket), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TryAgain or SocketError.WouldBlock && delay < 200)
            {
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            await Task.Delay(delay, ct);
        }
    }

    Task IHostedService.StartAsync(CancellationToken ct)
    {
        // Folders of sessions not resumed (ended while the server was away, or never to run again) go, with any
        // process still running in them.
        if (Directory.Exists(_options.SessionsDir))
            foreach (var dir in Directory.GetDirectories(_options.SessionsDir))
            {
                if (Guid.TryParseExact(Path.GetFileName(dir), "N", out var id) && _sandboxes.ContainsKey(id)) continue;
                if (FindProcess(dir, PidFile) is var (process, _))
                    using (process) process.Kill(entireProcessTree: true);
                KillRelay(dir);
                RemoveFolder(dir);
            }
        // A sandbox's uid passes through to its own folder but cannot list the others.
        Directory.CreateDirectory(_options.SessionsDir);
        File.SetUnixFileMode(_options.SessionsDir, TraverseOnly);
        var parent = Path.GetDirectoryName(_options.SessionsDir);
        if (parent == DefaultRuntimeRoot) File.SetUnixFileMode(parent, TraverseOnly);
        return Task.CompletedTask;
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

    private ProcessStartInfo SandboxCommand(SessionLaunch launch, SandboxPlan plan, string folder, int uid)
    {
        var start = new ProcessStartInfo
        {
            // A session of its own, so that a signal to the server's process group (Ctrl-C) leaves sandboxes be.
            FileName = _runner.Setsid,
            RedirectStandardInput = true,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
            UseShellExecute = false,
            StandardInputEncoding = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        // Nothing of the server's environment (which may hold secrets) reaches the sandbox.
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        var args = start.ArgumentList;
        AsSandboxUser(args, uid);
        args.Add(_runner.Bubblewrap);
        string[] bwrap =
        [
            "--unshare-all", "--unshare-user", "--new-session", "--hostname", "sortie",
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
            "--setenv", "SORTIE_EGRESS_PORT", plan.Egress?.LocalPort.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
            "/bin/bash", "/run/init.sh",
        ];
        foreach (var a in bwrap) args.Add(a);
        if (_options.StopSessionsOnExit) args.Insert(args.IndexOf("--new-session"), "--die-with-parent");
        return start;
    }

    /// <summary>As root, what runs for a session runs as the session's own uid, with no capabilities and no way to gain any.</summary>
    private void AsSandboxUser(System.Collections.ObjectModel.Collection<string> args, int uid)
    {
        if (!_isRoot) return;
        foreach (var a in new[] { _runner.Setpriv, $"--reuid={uid}", $"--regid={uid}", "--clear-groups", "--no-new-privs", "--" })
            args.Add(a);
    }

    private static void PrepareFolder(string folder, int uid, SandboxPlan plan)
    {
        RemoveFolder(folder);
        Directory.CreateDirectory(Path.Combine(folder, "home"));
        Directory.CreateDirectory(Path.Combine(folder, "run"));
        File.WriteAllText(Path.Combine(folder, "init.sh"), InitScript);
        File.WriteAllText(Path.Combine(folder, "passwd"), "root:x:0:0::/:/usr/sbin/nologin\nsortie:x:1000:1000:Sortie:/home/sortie:/bin/bash\n");
        File.WriteAllText(Path.Combine(folder, "group"), "root:x:0:\nsortie:x:1000:\n");
        File.WriteAllText(Path.Combine(folder, KindFile), plan.Kind.ToString());
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(Path.Combine(folder, "init.sh"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        List<string> owned = [folder, Path.Combine(folder, "home"), Path.Combine(folder, "run"), Path.Combine(folder, "init.sh"),
            Path.Combine(folder, "passwd"), Path.Combine(folder, "group")];
        foreach (var (name, content) in plan.Files)
        {
            var path = Path.Combine(folder, "run", Path.GetFileName(name));
            File.WriteAllText(path, "");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.WriteAllText(path, content);
            owned.Add(path);
        }
        if (geteuid() == 0)
            foreach (var path in owned)
                if (chown(path, uid, uid) != 0) throw new RunnerException("The session's folder could not be prepared.");
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
    /// as the sandbox's uid, listening on run/egress.sock (0600: that uid and root only) and connecting
    /// <see cref="Egress.Host"/>:<see cref="Egress.Port"/> for each connection, nothing else. Like the sandbox it has
    /// a process session of its own and outlives a server restart; the sandbox cannot see or signal it (its own pid
    /// namespace).
    /// </summary>
    private async Task StartRelayAsync(string folder, int uid, Egress egress, CancellationToken ct)
    {
        var socket = Path.Combine(folder, "run", "egress.sock");
        // socat's address syntax gives these characters meanings of their own.
        if (socket.IndexOfAny([',', ':', '!', '\\', '"', '\'', ' ']) >= 0)
            throw new RunnerException($"Sessions that reach the network need a runtime folder whose path has no , : ! or spaces ({folder}); set SORTIE_RUNTIME_DIR.");
        var start = new ProcessStartInfo { FileName = _runner.Setsid, UseShellExecute = false };
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        var args = start.ArgumentList;
        AsSandboxUser(args, uid);
        var host = egress.Host.Contains(':') ? $"[{egress.Host}]" : egress.Host;
        foreach (var a in new[] { _runner.Socat, "-lf", Path.Combine(folder, "relay.log"),
                     $"UNIX-LISTEN:{socket},fork,unlink-early,mode=600", $"TCP:{host}:{egress.Port},connect-timeout=10" })
            args.Add(a);
        using (var relay = Process.Start(start) ?? throw new RunnerException("The session's network relay could not be started."))
        {
            File.WriteAllText(Path.Combine(folder, RelayPidFile), $"{relay.Id} {uid}");
            File.WriteAllText(Path.Combine(folder, EgressFile), $"{egress.Host} {egress.Port} {egress.LocalPort}");
            for (var deadline = DateTime.UtcNow.AddSeconds(10); !File.Exists(socket); await Task.Delay(10, ct))
                if (relay.HasExited || DateTime.UtcNow > deadline)
                    throw new RunnerException("The session's network relay could not be started.");
        }
    }

    private static void KillRelay(string folder)
    {
        if (FindProcess(folder, RelayPidFile) is not var (relay, _)) return;
        using (relay)
        {
            var pid = relay.Id;
            try { relay.Kill(entireProcessTree: true); } // with the connections it forked
            catch (InvalidOperationException) { } // it ended meanwhile
            // A relay resumed from an earlier server is not this process's child: its exit shows as a zombie at best.
            for (var deadline = DateTime.UtcNow.AddSeconds(5); IsRunning(pid) && DateTime.UtcNow < deadline;) Thread.Sleep(10);
        }
    }

    private static Egress? ReadEgress(string folder) =>
        ReadOrNull(Path.Combine(folder, EgressFile))?.Split(' ') is [var host, var port, var local]
            && int.TryParse(port, out var p) && int.TryParse(local, out var l) ? new Egress(host, p, l) : null;

    private static string? ReadOrNull(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (IOException) { return null; }
    }

    private async Task WaitForVncAsync(Sandbox sandbox, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_runner.StartTimeout);
        while (true)
        {
            if (sandbox.Process.HasExited) throw new RunnerException("The desktop exited while starting.");
            if (File.Exists(sandbox.Socket) && await AnswersRfbAsync(sandbox.Socket, timeout.Token)) return;
            try { await Task.Delay(20, timeout.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new RunnerException($"The desktop did not start within {_runner.StartTimeout.TotalSeconds:0} s.");
            }
        }
    }

    private static async Task<bool> AnswersRfbAsync(string socketPath, CancellationToken ct)
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
            await using var stream = new NetworkStream(socket);
            var banner = new byte[12];
            await stream.ReadExactlyAsync(banner, ct);
            return banner.AsSpan().StartsWith("RFB 003."u8);
        }
        catch (Exception e) when (e is SocketException or IOException or EndOfStreamException)
        {
            return false;
        }
    }

    private async Task WatchAsync(Guid sessionId, Sandbox sandbox)
    {
        await sandbox.Process.WaitForExitAsync();
        if (sandbox.Stopping) return;
        var reason = ExitReasons.For(sandbox.Kind, ReadOrNull(Path.Combine(sandbox.Folder, "run", "exit")));
        _log.LogInformation("Session {SessionId} ended by itself: {Reason}", sessionId, reason);
        await StopAsync(sessionId);
        SessionExited?.Invoke(sessionId, reason);
    }

    /// <summary>
    /// A uid of the session's own, drawn from its id, so that two servers on one machine (or one server
    /// restarted while an old sandbox lingers) do not hand out the same uid.
    /// </summary>
    private int AllocateUid(Guid sessionId)
    {
        var used = _sandboxes.Values.Select(s => s.Uid).ToHashSet();
        var offset = (int)(BitConverter.ToUInt32(sessionId.ToByteArray(), 12) % (uint)_runner.SandboxUidCount);
        var uid = _runner.FirstSandboxUid + offset;
        while (used.Contains(uid)) uid = _runner.FirstSandboxUid + (uid - _runner.FirstSandboxUid + 1) % _runner.SandboxUidCount;
        return uid;
    }

    /// <summary>
    /// The running process (sandbox or relay) recorded in a session's folder, with its uid. The process must still
    /// be that one (its command names the folder), not another that took its pid since.
    /// </summary>
    private static (Process Process, int Uid)? FindProcess(string folder, string pidFile)
    {
        try
        {
            var fields = File.ReadAllText(Path.Combine(folder, pidFile)).Split(' ');
            var pid = int.Parse(fields[0]);
            if (!IsRunning(pid) || !File.ReadAllText($"/proc/{pid}/cmdline").Contains(folder + "/")) return null;
            return (Process.GetProcessById(pid), int.Parse(fields[1]));
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or ArgumentException) { return null; }
    }

    private static int[] ChildrenOf(Process process)
    {
        try
        {
            return File.ReadAllText($"/proc/{process.Id}/task/{process.Id}/children")
                .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException) { return []; }
    }

    /// <summary>Whether a process still runs; a zombie has exited and only waits to be reaped.</summary>
    private static bool IsRunning(int pid)
    {
        try { return !File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].TrimStart().StartsWith('Z'); }
        catch (IOException) { return false; }
    }

    private static void RemoveFolder(string folder)
    {
        try { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
        catch (IOException) { } // A last process may still hold a file; the next start sweeps it.
    }

    private static string ReadInitScript()
    {
        using var stream = typeof(LocalRunner).Assembly.GetManifestResourceStream("Sortie.Runners.sandbox-init.sh")
            ?? throw new InvalidOperationException("sandbox-init.sh is not embedded.");
        return new StreamReader(stream).ReadToEnd();
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern uint geteuid();

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int chown(string path, int owner, int group);
}

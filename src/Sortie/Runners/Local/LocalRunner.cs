using System.Collections.Concurrent;
using System.Diagnostics;
using Sortie.Platform;
using Sortie.Runners.Local;

namespace Sortie.Runners;

/// <summary>
/// Runs each session in its own bubblewrap sandbox on this machine: a read-only system, private /tmp and
/// home, no network, its own namespaces, a seccomp filter, a cgroup with its limits, and (when Sortie runs as root)
/// its own unprivileged uid. Xvnc listens only on a Unix socket in the session's folder, mode 0600, so only the
/// server can reach it. An RDP or web-proxy session may also reach one host and port outside, through a relay
/// (see <see cref="EgressRelay"/>). Whatever the sandbox can write is hostile input: see <see cref="SandboxFiles"/>.
/// This class keeps the sessions' lives (start, resume, watch, stop, sweep); the parts are in Runners/Local.
/// </summary>
public sealed class LocalRunner : ISessionRunner, IHostedService
{
    private const string DefaultRuntimeRoot = "/run/sortie";
    private const UnixFileMode TraverseOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private readonly ConcurrentDictionary<Guid, RunningSandbox> _sandboxes = new();
    private readonly SessionStops _stops;
    private readonly SortieOptions _options;
    private readonly LocalRunnerOptions _runner;
    private readonly SandboxPlanner _planner;
    private readonly SessionCgroups _cgroups;
    private readonly SandboxUidPool _uids;
    private readonly SandboxVncSocket _vnc;
    private readonly ILogger<LocalRunner> _log;

    public LocalRunner(SortieOptions options, LocalRunnerOptions runner, SandboxPlanner planner, SessionCgroups cgroups, ILogger<LocalRunner> log)
    {
        _options = options;
        _runner = runner;
        _planner = planner;
        _cgroups = cgroups;
        _log = log;
        _stops = new SessionStops(options, log);
        _uids = new SandboxUidPool(runner);
        _vnc = new SandboxVncSocket(log);
    }

    public event Action<Guid, string>? SessionExited;

    /// <summary>
    /// A session being stopped still counts: its processes are not all gone, and one that ended by itself is reported
    /// (<see cref="SessionExited"/>, with its reason) only once they are, so until then it must not look vanished.
    /// </summary>
    public IReadOnlyCollection<Guid> ActiveSessions => _sandboxes.Keys.Union(_stops.UnderWay).ToArray();

    /// <summary>Sandboxes live on this machine: no other server holds them.</summary>
    public bool HoldsEverySession => true;

    public string? Problem()
    {
        var isRoot = SandboxUidPool.ServerIsRoot;
        string[] needed = isRoot ? [_runner.Setsid, _runner.Bubblewrap, _runner.Xvnc, _runner.Setpriv] : [_runner.Setsid, _runner.Bubblewrap, _runner.Xvnc];
        var missing = needed.Where(p => !File.Exists(p)).ToArray();
        if (missing.Length > 0) return $"missing: {string.Join(", ", missing)} (run ./run.sh to install them)";
        // Sandboxes run as other uids, which must be able to pass through every folder above their own.
        if (isRoot)
            for (var dir = Directory.GetParent(_options.SessionsDir); dir is not null; dir = dir.Parent)
                if (dir.Exists && (dir.UnixFileMode & UnixFileMode.OtherExecute) == 0)
                    return $"sandboxes cannot reach {_options.SessionsDir}: {dir.FullName} is closed to other users (set SORTIE_RUNTIME_DIR)";
        return null;
    }

    public async Task StartAsync(SessionLaunch launch, CancellationToken ct)
    {
        if (Problem() is { } problem) throw new RunnerException($"The local runner cannot start sessions: {problem}.");
        var plan = await _planner.PlanAsync(launch, ct);
        var folder = FolderOf(launch.SessionId);
        var uid = _uids.Allocate(launch.SessionId, _sandboxes.Values.Select(s => s.Uid).ToHashSet());
        var limits = _options.SessionLimits.With(launch.Limits);
        folder.Prepare(uid, plan, limits);
        var cgroup = _cgroups.Create(launch.SessionId, limits);

        var command = BwrapCommand.Create(_runner, launch, plan, folder, uid, cgroup, dieWithServer: _options.StopSessionsOnExit);
        var process = new Process { StartInfo = command, EnableRaisingEvents = true };
        var sandbox = new RunningSandbox(launch.SessionId, process, folder, uid, plan.Kind, limits);
        if (!_sandboxes.TryAdd(launch.SessionId, sandbox)) throw new RunnerException("The session is already running.");
        try
        {
            if (plan.Egress is { } egress) await EgressRelay.StartAsync(_runner, folder, uid, egress, cgroup, ct);
            process.Start();
            await HandInputAsync(process, plan.Input);
            (sandbox.InitPid, sandbox.PidNamespace) = await SandboxProcessScanner.FindInitAsync(process, ct);
            folder.RecordSandbox(process.Id, uid, sandbox.InitPid);
            _ = WatchAsync(sandbox);
            await _vnc.WaitUntilAnswersAsync(sandbox, _runner.StartTimeout, ct);
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
        var folder = FolderOf(sessionId);
        if (SandboxProcessScanner.Find(folder, folder.SandboxRecord()) is not var (process, uid, initPid)) return false;
        // A sandbox started before the init was recorded: bwrap's child, while bwrap still runs.
        if (initPid == 0) initPid = Processes.ChildrenOf(process.Id).FirstOrDefault(pid => SandboxProcessScanner.BelongsTo(pid, folder));
        var limits = folder.Limits() ?? _options.SessionLimits;
        var sandbox = new RunningSandbox(sessionId, process, folder, uid, folder.Kind() ?? ProgramKind.Desktop, limits)
        {
            InitPid = initPid, PidNamespace = Processes.PidNamespace(initPid),
        };
        if (!_sandboxes.TryAdd(sessionId, sandbox)) return true;
        if (sandbox.PidNamespace is null || !await _vnc.AnswersAsync(sandbox, ct))
        {
            await StopAsync(sessionId);
            return false;
        }
        // The relay normally outlives the server with the sandbox; one that did not is started again.
        if (folder.Egress() is { } egress && !EgressRelay.IsRunning(folder))
        {
            try { await EgressRelay.StartAsync(_runner, folder, uid, egress, _cgroups.Create(sessionId, limits), ct); }
            catch (RunnerException e) { _log.LogWarning("Session {SessionId}: {Problem}", sessionId, e.Message); }
        }
        _ = WatchAsync(sandbox);
        _log.LogInformation("Session {SessionId} resumed: sandbox pid {Pid} outlived the last server", sessionId, process.Id);
        return true;
    }

    /// <summary>Stops a sandbox; a second caller (say, shutdown while a session ends) waits for the same stop.</summary>
    public Task StopAsync(Guid sessionId) =>
        _stops.Once(sessionId, () => _sandboxes.TryRemove(sessionId, out var sandbox) ? () => StopSandboxAsync(sandbox) : null);

    private async Task StopSandboxAsync(RunningSandbox sandbox)
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
    private async Task EndEverythingAsync(Guid sessionId, SessionFolder folder, int uid, int initPid)
    {
        if (initPid > 0 && SandboxProcessScanner.BelongsTo(initPid, folder)) Native.kill(initPid, Native.SIGKILL);
        var cgroupEmpty = await _cgroups.KillAllAsync(sessionId);
        var uidEmpty = true;
        if (SandboxUidPool.ServerIsRoot && uid != SandboxUidPool.ServerUid)
            uidEmpty = await SandboxProcessScanner.KillAllRunningAsAsync(uid);
        else
        {
            EgressRelay.Kill(folder);
            if (initPid > 0) await SandboxProcessScanner.WaitUntilGoneAsync(initPid);
        }
        if (!cgroupEmpty || !uidEmpty)
        {
            _log.LogError("Session {SessionId}: some of its processes would not die; its folder {Folder} is kept", sessionId, folder.FullPath);
            return;
        }
        try
        {
            if (folder.Delete()) return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // a tree made to resist: left for an operator
        _log.LogWarning("Session {SessionId}: its folder {Folder} could not be removed", sessionId, folder.FullPath);
    }

    public async Task<Stream> ConnectAsync(Guid sessionId, CancellationToken ct) =>
        _sandboxes.TryGetValue(sessionId, out var sandbox) ? await _vnc.ConnectAsync(sandbox, ct)
            : throw new RunnerException("The session is not running.");

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
                var folder = new SessionFolder(dir);
                var record = folder.SandboxRecord();
                var found = SandboxProcessScanner.Find(folder, record);
                if (found is var (process, _, _)) using (process) if (!process.HasExited) process.Kill(entireProcessTree: true);
                await EndEverythingAsync(id, folder, found?.Uid ?? record?.Uid ?? SandboxUidPool.ServerUid, found?.InitPid ?? 0);
            }
        // A sandbox's uid passes through to its own folder but cannot list the others.
        Directory.CreateDirectory(_options.SessionsDir);
        File.SetUnixFileMode(_options.SessionsDir, TraverseOnly);
        var parent = Path.GetDirectoryName(_options.SessionsDir);
        if (parent == DefaultRuntimeRoot) File.SetUnixFileMode(parent, TraverseOnly);
    }

    async Task IHostedService.StopAsync(CancellationToken ct)
    {
        if (!await _stops.OnServerExitAsync(_sandboxes.Keys, StopAsync)) return;
        try { Directory.Delete(_options.SessionsDir); } catch (IOException) { } // only when empty
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
        catch (IOException) { } // the sandbox already ended; waiting for its Xvnc says so
        finally { process.StandardInput.Close(); }
    }

    /// <summary>
    /// Waits for the sandbox to end by itself, or to run out of memory: a kill by the kernel's OOM killer anywhere in
    /// the session ends it, with that reason (a desktop with its app or display killed is no desktop).
    /// </summary>
    private async Task WatchAsync(RunningSandbox sandbox)
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
        reason ??= ExitReasons.For(sandbox.Kind, sandbox.Folder.ExitNote(sandbox.Uid));
        _log.LogInformation("Session {SessionId} ended by itself: {Reason}", sandbox.Id, reason);
        await StopAsync(sandbox.Id);
        SessionExited?.Invoke(sandbox.Id, reason);
    }

    private SessionFolder FolderOf(Guid sessionId) => new(_options.SessionFolder(sessionId));
}

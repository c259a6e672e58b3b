using Microsoft.Extensions.Logging.Abstractions;
using Sortie.Platform;
using Sortie.Runners;
using Sortie.Runners.Local;

namespace Sortie.Tests.Runners;

/// <summary>The local runner's parts on their own, without a sandbox: its command line, its folder, its stops.</summary>
public sealed class LocalRunnerPartsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sortie-parts-").FullName;

    [Fact]
    public void BwrapCommand_joins_the_cgroup_drops_privileges_then_runs_bwrap_with_each_option_in_its_place()
    {
        var runner = new LocalRunnerOptions();
        var folder = new SessionFolder(Path.Combine(_root, "session"));
        var plan = new SandboxPlan(ProgramKind.Browser, "kiosk") { ChromiumPolicy = "{}", Egress = new Egress("example.org", 443, 8080) };
        var launch = new SessionLaunch(Guid.NewGuid(), new DesktopProgram("kiosk"), 800, 600, "desk");

        var start = BwrapCommand.Create(runner, launch, plan, folder, 1234, ["/cg/a/cgroup.procs", "/cg/b/cgroup.procs"], dieWithServer: true);
        var args = start.ArgumentList.ToArray();

        Assert.Equal(runner.Shell, start.FileName);
        Assert.Equal("PATH", Assert.Single(start.Environment.Keys));
        Assert.True(start.RedirectStandardInput);
        Assert.Equal("-c", args[0]);
        Assert.Equal(new[] { "sortie-sandbox", folder.Seccomp, "/cg/a/cgroup.procs", "/cg/b/cgroup.procs", "--", runner.Setsid }, args[2..8]);
        var bwrap = Array.IndexOf(args, runner.Bubblewrap);
        if (SandboxUidPool.ServerIsRoot)
            Assert.Equal(new[] { runner.Setpriv, "--reuid=1234", "--regid=1234", "--clear-groups", "--no-new-privs", "--" }, args[8..bwrap]);
        else
            Assert.Equal(8, bwrap);
        Assert.Equal(new[] { "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session" }, args[(bwrap + 1)..(bwrap + 5)]);
        // Sortie's browser policy over the host's, mounted before /proc as ever.
        var proc = Array.IndexOf(args, "--proc");
        Assert.Equal(new[] { "--tmpfs", "/etc/chromium", "--ro-bind", folder.ChromiumPolicy, "/etc/chromium/policies/managed/sortie.json" },
            args[(proc - 5)..proc]);
        Assert.Equal(new[] { "--ro-bind", folder.Passwd, "/etc/passwd", "--ro-bind", folder.Group, "/etc/group" }, args[(proc - 11)..(proc - 5)]);
        Assert.Contains("SORTIE_EGRESS_PORT 8080", string.Join(' ', args));
        Assert.Equal(new[] { "/bin/bash", "/run/init.sh" }, args[^2..]);
    }

    [Fact]
    public void BwrapCommand_without_a_browser_or_a_tie_to_the_server_has_neither()
    {
        var folder = new SessionFolder(Path.Combine(_root, "session"));
        var launch = new SessionLaunch(Guid.NewGuid(), new DesktopProgram("xterm"), 800, 600, "desk");

        var args = BwrapCommand.Create(new LocalRunnerOptions(), launch, new SandboxPlan(ProgramKind.Desktop, "xterm"), folder, 1234, [],
            dieWithServer: false).ArgumentList;

        Assert.DoesNotContain("--die-with-parent", args);
        Assert.DoesNotContain("/etc/chromium", args);
        Assert.Contains("SORTIE_EGRESS_PORT ", string.Join(' ', args) + " ");
    }

    [Fact]
    public void SessionFolder_reads_back_what_it_recorded_and_nothing_put_in_its_place()
    {
        var folder = new SessionFolder(Path.Combine(_root, "session"));
        var limits = new SessionLimits(1L << 30, 1.5, 300);
        var uid = SandboxUidPool.ServerUid;
        folder.Prepare(uid, new SandboxPlan(ProgramKind.Rdp, "xfreerdp") { Files = new Dictionary<string, string> { ["../connection.rdp"] = "x" } }, limits);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute,
            File.GetUnixFileMode(folder.FullPath));
        // A file for the program lands in run/, whatever its name says.
        Assert.True(File.Exists(Path.Combine(folder.Run, "connection.rdp")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder.Run, "connection.rdp")));
        Assert.Equal(ProgramKind.Rdp, folder.Kind());
        Assert.Equal(limits, folder.Limits());
        Assert.Null(folder.SandboxRecord());
        Assert.Null(folder.Egress());

        folder.RecordSandbox(10, uid, 11);
        folder.RecordRelay(12, uid, new Egress("::1", 3389, 3389));
        Assert.Equal<(int, int, int)?>((10, uid, 11), folder.SandboxRecord());
        Assert.Equal<(int, int, int)?>((12, uid, 0), folder.RelayRecord());
        Assert.Equal(new Egress("::1", 3389, 3389), folder.Egress());

        // A link at a record's name is not followed.
        File.WriteAllText(Path.Combine(_root, "elsewhere"), "Desktop");
        File.Delete(Path.Combine(folder.FullPath, "kind"));
        File.CreateSymbolicLink(Path.Combine(folder.FullPath, "kind"), Path.Combine(_root, "elsewhere"));
        Assert.Null(folder.Kind());

        Assert.True(folder.Delete());
        Assert.False(Directory.Exists(folder.FullPath));
        Assert.True(File.Exists(Path.Combine(_root, "elsewhere")));
    }

    [Fact]
    public async Task SessionStops_runs_one_stop_a_session_however_many_ask()
    {
        var stops = new SessionStops(new SortieOptions { DataDir = "/nonexistent", SessionsDir = "/nonexistent/s" }, NullLogger.Instance);
        var id = Guid.NewGuid();
        var release = new TaskCompletionSource();
        var taken = 0;
        Func<Task>? Take() { Interlocked.Increment(ref taken); return () => release.Task; }

        var first = stops.Once(id, Take);
        var second = stops.Once(id, Take);
        Assert.Same(first, second);
        Assert.Equal(1, taken);
        Assert.Equal([id], stops.UnderWay);
        Assert.Same(Task.CompletedTask, stops.Once(Guid.NewGuid(), () => null));

        release.SetResult();
        await first;
        Assert.Empty(stops.UnderWay);
        // Once over, the next stop is a new one.
        for (var waited = 0; waited < 100 && stops.Once(id, () => null) != Task.CompletedTask; waited++)
            await Task.Delay(10, TestContext.Current.CancellationToken);
        Assert.Same(Task.CompletedTask, stops.Once(id, () => null));
    }

    [Fact]
    public async Task SessionStops_on_server_exit_stops_every_session_only_when_told_to()
    {
        var ids = new[] { Guid.NewGuid(), Guid.NewGuid() };
        var stopped = new List<Guid>();
        Task Stop(Guid id) { lock (stopped) stopped.Add(id); return Task.CompletedTask; }

        var keep = new SessionStops(new SortieOptions { DataDir = "/nonexistent", SessionsDir = "/nonexistent/s" }, NullLogger.Instance);
        Assert.False(await keep.OnServerExitAsync(ids, Stop));
        Assert.Empty(stopped);

        var end = new SessionStops(new SortieOptions { DataDir = "/nonexistent", SessionsDir = "/nonexistent/s", StopSessionsOnExit = true },
            NullLogger.Instance);
        Assert.True(await end.OnServerExitAsync(ids, Stop));
        Assert.Equal(ids.Order(), stopped.Order());
    }

    public void Dispose() => SandboxFiles.DeleteTree(_root);
}

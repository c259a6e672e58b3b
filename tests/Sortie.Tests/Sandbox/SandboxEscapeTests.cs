using System.Net.Sockets;
using System.Runtime.InteropServices;
using Sortie.Data;
using Sortie.Sessions;
using Sortie.Tests.Sessions;
using Sortie.Viewers;

namespace Sortie.Tests.Sandbox;

/// <summary>
/// Attacks on the sandbox and on the server from inside a session, typed into the session's own terminal as its user
/// would. The server (root) must never follow, read, connect to or delete what the user put in their session's folder,
/// and every process of a session must end with it.
/// </summary>
public sealed class SandboxEscapeTests(SandboxEscapeTests.ProductionServer server) : IClassFixture<SandboxEscapeTests.ProductionServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// A server with ./run.sh's settings: sessions outlive the server (no --die-with-parent, which would hide processes
    /// left behind). It ends whatever sessions a failed test left before it goes.
    /// </summary>
    public sealed class ProductionServer : SortieServer
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("SORTIE_STOP_SESSIONS_ON_EXIT", "false")];

        public override async ValueTask DisposeAsync()
        {
            using (var admin = await this.AdminAsync())
                foreach (var session in await admin.GetAsync<List<SessionDto>>("/api/sessions?all=true"))
                    await admin.Http.DeleteAsync($"/api/sessions/{session.Id}");
            await base.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_link_at_the_VNC_socket_does_not_lead_the_gateway_to_another_desktop_or_a_host_socket()
    {
        // The victim shares their desktop with the attacker, View Only; the attacker's own desktop has another size.
        var (victim, victimSession) = await server.NewRunningSessionAsync();
        using var attacker = await server.NewUserAsync();
        await victim.InviteAsync(victimSession.Id, attacker.User.Username, SharePermission.ReadOnly);
        var own = await attacker.LaunchDesktopAsync(640, 480);
        var folder = server.SessionFolder(own.Id);
        await using var terminal = await SessionTerminal.OpenAsync(attacker, own, folder);

        // Host paths are no secret to the sandbox (/proc/self/mountinfo): its own run/ folder, and so the victim's.
        var victimSocket = Path.Combine(server.SessionFolder(victimSession.Id), "run", "vnc.sock");
        Assert.Equal(0, await terminal.RunAsync($"rm -f /run/sortie/vnc.sock && ln -s {victimSocket} /run/sortie/vnc.sock"));
        await AssertNotTheVictimsAsync(attacker, own.Id);

        // A socket of the host's, listening as root: the gateway must not even connect.
        var hostSocketPath = Path.Combine(server.DataDir, $"host-{Guid.NewGuid():N}.sock");
        using var hostSocket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        hostSocket.Bind(new UnixDomainSocketEndPoint(hostSocketPath));
        hostSocket.Listen();
        Assert.Equal(0, await terminal.RunAsync($"rm -f /run/sortie/vnc.sock && ln -s {hostSocketPath} /run/sortie/vnc.sock"));
        var accepting = hostSocket.AcceptAsync(TestContext.Current.CancellationToken).AsTask();
        await AssertNotTheVictimsAsync(attacker, own.Id);
        Assert.False(await Task.WhenAny(accepting, Task.Delay(1000, TestContext.Current.CancellationToken)) == accepting,
            "the server connected to a host socket the user named");

        // The victim's viewers never listed the attacker, and the victim's desktop still works for its owner.
        var viewers = await victim.GetAsync<List<ViewerDto>>($"/api/sessions/{victimSession.Id}/viewers");
        Assert.DoesNotContain(viewers, v => v.UserId == attacker.User.Id);
        await using var ownerView = await victim.ViewAsync(victimSession.Id);
        Assert.Equal(320, ownerView.Framebuffer.Width);
    }

    /// <summary>The attacker's viewer on their own session reaches no desktop, or their own (640 wide), never the victim's (320 wide).</summary>
    private static async Task AssertNotTheVictimsAsync(ApiClient attacker, Guid ownSession)
    {
        try
        {
            await using var view = await attacker.ViewAsync(ownSession);
            Assert.NotEqual(320, view.Framebuffer.Width);
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or IOException or InvalidOperationException or EndOfStreamException)
        {
            // Refused: the session's socket is not its Xvnc's any more.
        }
    }

    [Fact]
    public async Task A_process_started_with_setsid_dies_with_its_session()
    {
        using var user = await server.NewUserAsync();
        var session = await user.LaunchDesktopAsync(320, 240);
        var folder = server.SessionFolder(session.Id);
        await using var terminal = await SessionTerminal.OpenAsync(user, session, folder);
        var xvnc = SandboxProcesses.Of(folder).Single(p => p.Command.StartsWith("Xvnc"));

        Assert.Equal(0, await terminal.RunAsync("setsid sleep 1001 & echo $! > ~/sleeper"));
        var sleeper = (await SandboxProcesses.WaitForAsync(folder, "sleep 1001")).Single(p => p.Command.StartsWith("sleep 1001"));
        await terminal.TypeAsync("openbox --exit");

        var ended = await user.WaitForStatusAsync(session.Id, SessionStatus.Terminated, Timeout);
        Assert.Equal("The application exited.", ended.Reason);
        Assert.True(await Eventually.TrueAsync(() => !SandboxProcesses.IsAlive(sleeper) && !SandboxProcesses.IsAlive(xvnc)),
            "a process of the session outlived it");
        if (Environment.UserName == "root")
            Assert.True(await Eventually.TrueAsync(() => SandboxProcesses.RunningAs(xvnc.Uid).Count == 0), $"a process still runs as the session's uid {xvnc.Uid}");
        Assert.True(await Eventually.TrueAsync(() => !Directory.Exists(folder)), "the session's folder was left behind");
    }

    [Fact]
    public async Task Removing_a_session_folder_never_follows_a_link_out_of_it()
    {
        // A host folder the session's user must not be able to have emptied (root does the removing).
        var precious = Directory.CreateTempSubdirectory("sortie-precious-").FullName;
        try
        {
            for (var i = 0; i < 20; i++) File.WriteAllText(Path.Combine(precious, $"keep{i}"), "mine");
            using var user = await server.NewUserAsync();
            var session = await user.LaunchDesktopAsync(320, 240);
            var folder = server.SessionFolder(session.Id);
            await using var terminal = await SessionTerminal.OpenAsync(user, session, folder);

            // Plain links to the host folder, and a process that keeps swapping a full directory for such a link while
            // the server removes the folder.
            Assert.Equal(0, await terminal.RunAsync($"ln -s {precious} ~/link && ln -s {precious} /run/sortie/link"));
            Assert.Equal(0, await terminal.RunAsync("mkdir -p ~/d/sub && for i in $(seq 200); do touch ~/d/sub/f$i ~/d/f$i; done"));
            Assert.Equal(0, await terminal.RunAsync(
                $"(setsid sh -c 'while :; do mv ~/d ~/e; ln -s {precious} ~/d; rm ~/d; mv ~/e ~/d; done' >/dev/null 2>&1 &)"));
            await terminal.TypeAsync("openbox --exit");

            await user.WaitForStatusAsync(session.Id, SessionStatus.Terminated, Timeout);
            Assert.True(await Eventually.TrueAsync(() => !Directory.Exists(folder)), "the session's folder was left behind");
            Assert.Equal(20, Directory.GetFiles(precious).Length);
        }
        finally { Directory.Delete(precious, recursive: true); }
    }

    [Theory]
    [InlineData("fifo", "mkfifo /run/sortie/target")]
    [InlineData("huge sparse file", "truncate -s 8G /run/sortie/target")]
    public async Task The_exit_file_cannot_hang_or_swell_the_server(string what, string make)
    {
        using var user = await server.NewUserAsync();
        var session = await user.LaunchDesktopAsync(320, 240);
        var folder = server.SessionFolder(session.Id);
        await using var terminal = await SessionTerminal.OpenAsync(user, session, folder);

        // The exit file becomes a link, by its host path, to a FIFO or a huge file: inside the sandbox the link leads
        // nowhere (so the sandbox's own last words fail), outside it leads to the trap.
        var target = Path.Combine(folder, "run", "target");
        Assert.Equal(0, await terminal.RunAsync($"{make} && rm -f /run/sortie/exit && ln -s {target} /run/sortie/exit"));
        await terminal.TypeAsync("openbox --exit");

        var ended = await user.WaitForStatusAsync(session.Id, SessionStatus.Terminated, Timeout);
        Assert.Equal("The desktop stopped unexpectedly.", ended.Reason);
        Assert.True(await Eventually.TrueAsync(() => !Directory.Exists(folder)), $"the session's folder was left behind ({what})");
    }

    [Fact]
    public async Task The_sandbox_refuses_new_namespaces_the_keyring_and_ptrace()
    {
        using var user = await server.NewUserAsync();
        var session = await user.LaunchDesktopAsync(320, 240);
        await using var terminal = await SessionTerminal.OpenAsync(user, session, server.SessionFolder(session.Id));

        // A nested user namespace ("root" inside) is the door to most kernel attacks from a sandbox.
        Assert.NotEqual(0, await terminal.RunAsync("unshare -r true"));
        Assert.NotEqual(0, await terminal.RunAsync("unshare -rn true"));
        // keyctl(KEYCTL_GET_KEYRING_ID) and ptrace(PTRACE_ATTACH, 1): refused with EPERM (1) whatever the arguments.
        var (keyctl, ptrace) = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? (219, 117) : (250, 101);
        Assert.Equal(0, await terminal.RunAsync($"perl -e 'syscall({keyctl}, 0, -3, 0); print $!+0' > ~/keyctl"));
        Assert.Equal("1", terminal.Read("keyctl"));
        Assert.Equal(0, await terminal.RunAsync($"perl -e 'syscall({ptrace}, 16, 1, 0, 0); print $!+0' > ~/ptrace"));
        Assert.Equal("1", terminal.Read("ptrace"));
        // An ordinary program still runs, forks and threads.
        Assert.Equal(0, await terminal.RunAsync("sh -c 'echo $$' > ~/forked && ls /usr/bin > /dev/null"));
        await user.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
    }
}

using Sortie.Apps;
using Sortie.Data;
using Sortie.Runners;
using Sortie.Sessions;
using Sortie.Tests.Sessions;
using Sortie.Rfb.Testing;

namespace Sortie.Tests.Runners;

/// <summary>
/// RDP apps against a real RDP server the test starts (FreeRDP's shadow server on an Xvfb display): the session's
/// sandbox runs xfreerdp full-screen on its Xvnc, and what the gateway streams is the remote desktop.
/// </summary>
public sealed class RdpSessionTests(SortieServer server) : IClassFixture<SortieServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    /// <summary>How long the remote desktop is given to react to input that should have no effect.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    private async Task<(ApiClient User, SessionDto Session, AppDto App)> LaunchAsync(RdpServer remote, RdpSettings? rdp = null)
    {
        var app = await RdpApps.AddAsync(server, rdp ?? new RdpSettings("127.0.0.1", remote.Port, RdpSecurity.Tls));
        var user = await server.NewUserAsync();
        return (user, await user.LaunchAsync(app.Name, 640, 480), app);
    }

    [Fact]
    public async Task An_rdp_session_streams_the_remote_desktop_through_the_gateway()
    {
        await using var remote = await RdpServer.StartAsync(640, 480);
        var (user, session, _) = await LaunchAsync(remote);

        Assert.Equal(StreamProtocol.Rdp, session.Protocol);
        await using var view = await user.ViewAsync(session.Id);
        await view.WaitForPictureAsync(f => RdpApps.MostlyColour(f, RdpServer.Colour), Timeout, TestContext.Current.CancellationToken);
        await user.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_password_logs_on_but_is_in_no_command_line_environment_file_or_database()
    {
        const string password = "correct horse 7 battery";
        await using var remote = await RdpServer.StartAsync(640, 480, ("alice", password));
        RdpApps.WriteSecret(server, "lab-alice", "alice", password);
        var (user, session, _) = await LaunchAsync(remote, new RdpSettings("127.0.0.1", remote.Port, RdpSecurity.Nla, SecretRef: "lab-alice"));

        // NLA logs on before any picture: a picture means the password reached xfreerdp.
        await using (var view = await user.ViewAsync(session.Id))
            await view.WaitForPictureAsync(f => RdpApps.MostlyColour(f, RdpServer.Colour), Timeout, TestContext.Current.CancellationToken);

        var folder = server.SessionFolder(session.Id);
        var processes = SandboxProcesses.Of(folder);
        Assert.Contains(processes, p => p.Command.StartsWith("/usr/bin/xfreerdp"));
        foreach (var p in processes)
        {
            Assert.DoesNotContain(password, p.Command);
            Assert.DoesNotContain(password, ReadOrEmpty($"/proc/{p.Pid}/environ"));
        }
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            Assert.False(ReadOrEmpty(file).Contains(password), $"{file} holds the password");
        foreach (var (name, text) in await server.DatabaseCopiesAsync())
            Assert.False(text.Contains(password), $"{name} holds the password");
        await user.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_missing_secret_fails_the_launch_and_says_which()
    {
        var app = await RdpApps.AddAsync(server, new RdpSettings("127.0.0.1", 3389, SecretRef: "nobody-wrote-this"));
        using var user = await server.NewUserAsync();
        var created = await ApiClient.ReadAsync<SessionDto>(await user.PostAsync("/api/sessions", new CreateSessionRequest(app.Id)));

        var failed = await user.WaitForStatusAsync(created.Id, SessionStatus.Failed);

        Assert.Contains("secret 'nobody-wrote-this'", failed.Reason);
    }

    [Fact]
    public async Task An_unreachable_remote_desktop_fails_the_launch_and_says_so()
    {
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var app = await RdpApps.AddAsync(server, new RdpSettings("127.0.0.1", port));
        using var user = await server.NewUserAsync();
        var created = await ApiClient.ReadAsync<SessionDto>(await user.PostAsync("/api/sessions", new CreateSessionRequest(app.Id)));

        var failed = await user.WaitForStatusAsync(created.Id, SessionStatus.Failed);

        Assert.Equal($"The remote desktop at 127.0.0.1:{port} cannot be reached (connection refused).", failed.Reason);
    }

    [Fact]
    public async Task When_the_remote_desktop_goes_away_the_session_ends_with_the_reason_and_leaves_nothing()
    {
        await using var remote = await RdpServer.StartAsync(640, 480);
        var (user, session, _) = await LaunchAsync(remote);
        var folder = server.SessionFolder(session.Id);
        var processes = await SandboxProcesses.WaitForAsync(folder, "/usr/bin/xfreerdp");
        Assert.Contains(processes, p => p.Command.Contains("egress.sock")); // the relay, outside the sandbox

        await remote.StopAsync();

        var ended = await user.WaitForStatusAsync(session.Id, SessionStatus.Terminated, Timeout);
        Assert.Equal("The connection to the remote desktop was lost.", ended.Reason);
        Assert.True(await Eventually.TrueAsync(() => processes.All(p => !SandboxProcesses.IsAlive(p))),
            "still running: " + string.Join(", ", processes.Where(p => SandboxProcesses.IsAlive(p)).Select(p => p.Command)));
        Assert.True(await Eventually.TrueAsync(() => !Directory.Exists(folder)));
    }

    [Fact]
    public async Task The_sandbox_reaches_its_remote_desktop_and_nothing_else()
    {
        Assert.SkipUnless(Environment.UserName == "root", "Entering a sandbox's network namespace takes root.");
        await using var remote = await RdpServer.StartAsync(640, 480);
        var (user, session, _) = await LaunchAsync(remote);
        var xfreerdp = (await SandboxProcesses.WaitForAsync(server.SessionFolder(session.Id), "/usr/bin/xfreerdp"))
            .Single(p => p.Command.StartsWith("/usr/bin/xfreerdp"));

        Assert.Equal(["lo"], SandboxNetwork.Interfaces(xfreerdp.Pid));
        // Its own loopback port answers as the remote desktop does (a TPKT: 03 00 …)…
        Assert.StartsWith("03 00", await SandboxNetwork.RdpAnswerAsync(xfreerdp.Pid, "127.0.0.1", SandboxPlanner.RdpLocalPort));
        // …while the same server at its real address, the portal, and the rest of the world cannot be reached.
        Assert.False(await SandboxNetwork.CanConnectAsync(xfreerdp.Pid, "127.0.0.1", remote.Port));
        Assert.False(await SandboxNetwork.CanConnectAsync(xfreerdp.Pid, "127.0.0.1", server.BaseUri.Port));
        Assert.False(await SandboxNetwork.CanConnectAsync(xfreerdp.Pid, "192.0.2.1", 80));
        await user.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_view_only_viewers_keys_never_reach_the_remote_desktop_but_full_access_ones_do()
    {
        await using var remote = await RdpServer.StartAsync(640, 480);
        // A terminal over the whole remote screen, writing every line typed into it to a file.
        var typed = Path.Combine(remote.Home, "typed");
        remote.Show("xterm", "-geometry", "200x80+0+0", "-e", "sh", "-c", $"cat > {typed}");
        var (owner, session, _) = await LaunchAsync(remote);
        var viewOnly = await server.NewUserAsync();
        var fullAccess = await server.NewUserAsync();
        await owner.InviteAsync(session.Id, viewOnly.User.Username, SharePermission.ReadOnly);
        await owner.InviteAsync(session.Id, fullAccess.User.Username, SharePermission.ReadWrite);
        await using var ownerView = await owner.ViewAsync(session.Id);
        await ownerView.WaitForPictureAsync(f => f.CountDistinctColours() > 1, Timeout, TestContext.Current.CancellationToken); // the remote desktop is up
        string Typed() => File.Exists(typed) ? File.ReadAllText(typed) : "";

        await using (var watcher = await viewOnly.ViewAsync(session.Id))
        {
            await TypeAsync(watcher, "watcher");
            await Task.Delay(Settle, TestContext.Current.CancellationToken);
        }
        await using var helper = await fullAccess.ViewAsync(session.Id);
        await TypeAsync(helper, "helper");

        Assert.True(await Eventually.TrueAsync(() => Typed().Contains("helper"), Timeout), $"the remote desktop got: '{Typed()}'");
        Assert.DoesNotContain("watcher", Typed());
        await owner.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Clicks into the screen, then types a line. No letter twice in a row: xfreerdp takes a release and a press
    /// of one key with the same timestamp (keys typed in one burst) for X's auto-repeat and drops the second.
    /// </summary>
    private static async Task TypeAsync(RfbClient viewer, string text)
    {
        await viewer.SendPointerAsync(320, 240, buttons: 1);
        await viewer.SendPointerAsync(320, 240, buttons: 0);
        foreach (var c in text + "\r")
        {
            var keysym = c == '\r' ? 0xff0du : c;
            await viewer.SendKeyAsync(keysym, down: true);
            await viewer.SendKeyAsync(keysym, down: false);
        }
    }

    private static string ReadOrEmpty(string path)
    {
        try { return System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(path)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }
}

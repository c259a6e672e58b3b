using System.Diagnostics;
using Sortie.Data;
using Sortie.Sessions;
using Sortie.Tests.Sessions;

namespace Sortie.Tests.Faults;

/// <summary>What happens when parts fail: the desktop dies, a viewer stops reading.</summary>
public sealed class FaultTests(SortieServer server) : IClassFixture<SortieServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task When_the_sessions_Xvnc_is_killed_the_session_ends_with_a_reason_viewers_are_told_and_nothing_is_left()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var viewer = await server.NewUserAsync();
        await owner.InviteAsync(session.Id, viewer.User.Username);
        using var view = await viewer.ConnectAsync(session.Id);
        var folder = server.SessionFolder(session.Id);
        var sandbox = await SandboxProcesses.WaitForAsync(folder, "xterm");
        var xvnc = sandbox.Single(p => p.Command.StartsWith("Xvnc"));

        using (var process = Process.GetProcessById(xvnc.Pid)) process.Kill();

        Assert.Equal((4000, "session ended"), await view.WaitForCloseAsync(Timeout));
        var ended = await owner.WaitForStatusAsync(session.Id, SessionStatus.Terminated);
        Assert.Equal("The desktop stopped unexpectedly.", ended.Reason);
        Assert.True(await Eventually.TrueAsync(() => sandbox.All(p => !SandboxProcesses.IsAlive(p))),
            "sandbox processes outlived their desktop");
        Assert.False(Directory.Exists(folder));
        Assert.Empty(await viewer.GetAsync<List<SessionDto>>("/api/sessions/shared"));
    }

    [Fact]
    public async Task A_viewer_that_stops_reading_does_not_hold_back_the_owner()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var laggard = await server.NewUserAsync();
        await owner.InviteAsync(session.Id, laggard.User.Username, SharePermission.ReadOnly);

        // The laggard asks for whole screens again and again and never reads the answers.
        await using var stuck = await laggard.ViewAsync(session.Id);
        for (var i = 0; i < 200; i++) await stuck.RequestUpdateAsync(incremental: false, TestContext.Current.CancellationToken);

        await using var ownerView = await owner.ViewAsync(session.Id);
        await ownerView.WaitForPictureAsync(f => f.CountDistinctColours() > 1, Timeout, TestContext.Current.CancellationToken);
        for (var line = 0; line < 5; line++)
        {
            var before = ownerView.Framebuffer.Checksum();
            foreach (var key in $"echo {line}\r")
            {
                var keysym = key == '\r' ? 0xff0du : key;
                await ownerView.SendKeyAsync(keysym, down: true, TestContext.Current.CancellationToken);
                await ownerView.SendKeyAsync(keysym, down: false, TestContext.Current.CancellationToken);
            }
            // Each line the owner types shows up for the owner while the laggard's connection is jammed.
            await ownerView.WaitForPictureAsync(f => f.Checksum() != before, Timeout, TestContext.Current.CancellationToken);
        }
    }
}

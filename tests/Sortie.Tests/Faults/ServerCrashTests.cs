using Sortie.Data;
using Sortie.Sessions;
using Sortie.Sharing;
using Sortie.Tests.Sessions;

namespace Sortie.Tests.Faults;

/// <summary>The server process killed outright (SIGKILL) in the middle of a shared session, then started again.</summary>
public sealed class ServerCrashTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("sortie-crash-").FullName;

    [Fact]
    public async Task After_a_crash_the_session_and_its_shares_survive_and_viewers_reconnect()
    {
        SessionDto session;
        ShareDto link;
        string folder;
        IReadOnlyList<SandboxProcesses.Proc> sandbox;
        var first = await ServerProcess.StartAsync(_dataDir);
        try
        {
            using var admin = await first.AdminAsync();
            using var owner = await admin.NewUserAsync(UserRole.User, "crash-owner");
            using var viewer = await admin.NewUserAsync(UserRole.User, "crash-viewer");
            session = await owner.LaunchDesktopAsync(320, 240);
            await owner.InviteAsync(session.Id, "crash-viewer", SharePermission.ReadOnly);
            link = await owner.CreateLinkAsync(session.Id);
            folder = first.SessionFolder(session.Id);
            sandbox = await SandboxProcesses.WaitForAsync(folder, "xterm");
            using var view = await viewer.ConnectAsync(session.Id);

            await first.KillAsync();

            // The viewer's connection breaks with the server: no close frame, an error.
            await Assert.ThrowsAnyAsync<Exception>(() => view.WaitForCloseAsync());
            Assert.All(sandbox, p => Assert.True(SandboxProcesses.IsAlive(p), $"{p.Command} died with the server"));
        }
        finally { await first.DisposeAsync(); }

        // The restarted server ends its sessions when it stops, so that this test leaves nothing behind.
        await using var second = await ServerProcess.StartAsync(_dataDir, new Dictionary<string, string> { ["SORTIE_STOP_SESSIONS_ON_EXIT"] = "true" });
        using var ownerAgain = await ApiClient.LoginAsync(second.BaseUri, "crash-owner", "crash-owner-password");
        using var viewerAgain = await ApiClient.LoginAsync(second.BaseUri, "crash-viewer", "crash-viewer-password");

        Assert.Equal(SessionStatus.Running, (await ownerAgain.GetAsync<SessionDto>($"/api/sessions/{session.Id}")).Status);
        var shared = Assert.Single(await viewerAgain.GetAsync<List<SessionDto>>("/api/sessions/shared"));
        Assert.Equal((session.Id, SharePermission.ReadOnly), (shared.Id, shared.SharePermission));
        await using (var reconnected = await viewerAgain.ViewAsync(session.Id))
            await reconnected.WaitForPictureAsync(f => f.CountDistinctColours() > 1, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Contains(link.Id, (await ownerAgain.GetAsync<List<ShareDto>>($"/api/sessions/{session.Id}/shares")).Select(s => s.Id));

        Assert.Equal(HttpStatusCode.NoContent, (await ownerAgain.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.All(sandbox, p => Assert.False(SandboxProcesses.IsAlive(p), $"{p.Command} outlived its session"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}

using System.Diagnostics;
using System.Net.WebSockets;
using Sortie.Auth;
using Sortie.Data;
using Sortie.Sessions;
using Sortie.Sharing;
using Sortie.Tests.Sessions;

namespace Sortie.Tests.Hosting;

/// <summary>A server stopped and started again on the same data dir.</summary>
public sealed class RestartTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("sortie-restart-").FullName;

    [Fact]
    public async Task Sessions_and_their_shares_outlive_a_restart_and_viewers_reconnect()
    {
        TokenPair ownerTokens, bobTokens;
        SessionDto session;
        ShareDto link;
        IReadOnlyList<SandboxProcesses.Proc> sandbox;
        await using (var first = new RestartedServer(_dataDir, sessionsOutliveIt: true))
        {
            await first.InitializeAsync();
            using var owner = await first.NewUserAsync(name: "survivor");
            using var bob = await first.NewUserAsync(name: "bob");
            (ownerTokens, bobTokens) = (owner.Tokens!, bob.Tokens!);
            session = await owner.LaunchDesktopAsync(320, 240);
            await owner.InviteAsync(session.Id, "bob", SharePermission.ReadWrite);
            link = await owner.CreateLinkAsync(session.Id, maxUses: 5);
            sandbox = await SandboxProcesses.WaitForAsync(first.SessionFolder(session.Id), "xterm");
        }
        Assert.All(sandbox, p => Assert.True(SandboxProcesses.IsAlive(p), $"{p.Command} died with the server"));

        await using var second = new RestartedServer(_dataDir);
        await second.InitializeAsync();
        using var ownerAgain = second.As(ownerTokens);
        using var bobAgain = second.As(bobTokens);

        var resumed = await ownerAgain.GetAsync<SessionDto>($"/api/sessions/{session.Id}");
        Assert.Equal(SessionStatus.Running, resumed.Status);
        Assert.Subset(SandboxProcesses.Of(second.SessionFolder(session.Id)).Select(p => p.Pid).ToHashSet(), sandbox.Select(p => p.Pid).ToHashSet());
        var shared = Assert.Single(await bobAgain.GetAsync<List<SessionDto>>("/api/sessions/shared"));
        Assert.Equal((session.Id, SharePermission.ReadWrite), (shared.Id, shared.SharePermission));
        Assert.Equal("RFB 003.008\n", await BannerAsync(bobAgain, session.Id));
        Assert.Equal(2, (await ownerAgain.GetAsync<List<ShareDto>>($"/api/sessions/{session.Id}/shares")).Count);
        using var carol = await second.NewUserAsync();
        Assert.Equal(session.Id, (await ApiClient.ReadAsync<SessionDto>(await carol.JoinAsync(link.ShareUrl!))).Id);
    }

    [Fact]
    public async Task A_session_whose_desktop_died_while_the_server_was_away_is_ended_with_its_shares()
    {
        TokenPair ownerTokens;
        SessionDto session;
        string folder;
        await using (var first = new RestartedServer(_dataDir, sessionsOutliveIt: true))
        {
            await first.InitializeAsync();
            using var owner = await first.NewUserAsync(name: "unlucky");
            using var bob = await first.NewUserAsync(name: "bob");
            ownerTokens = owner.Tokens!;
            session = await owner.LaunchDesktopAsync(320, 240);
            await owner.InviteAsync(session.Id, "bob");
            folder = first.SessionFolder(session.Id);
        }
        var bwrap = SandboxProcesses.Of(folder).First(p => p.Command.Contains(folder));
        using (var process = Process.GetProcessById(bwrap.Pid)) process.Kill(entireProcessTree: true);
        Assert.True(await Eventually.TrueAsync(() => !SandboxProcesses.IsAlive(bwrap)));

        await using var second = new RestartedServer(_dataDir);
        await second.InitializeAsync();
        using var owner2 = second.As(ownerTokens);

        var ended = await owner2.GetAsync<SessionDto>($"/api/sessions/{session.Id}");
        Assert.Equal(SessionStatus.Terminated, ended.Status);
        Assert.Contains("restarted", ended.Reason);
        Assert.False(Directory.Exists(folder));
        Assert.Empty(await owner2.GetAsync<List<ShareDto>>($"/api/sessions/{session.Id}/shares"));
    }

    [Fact]
    public async Task With_sessions_stopped_on_exit_they_end_with_the_server_and_tokens_still_hold()
    {
        TokenPair tokens;
        SessionDto session;
        IReadOnlyList<SandboxProcesses.Proc> sandbox;
        await using (var first = new RestartedServer(_dataDir))
        {
            await first.InitializeAsync();
            using var user = await first.NewUserAsync(name: "restarter");
            tokens = user.Tokens!;
            session = await user.LaunchDesktopAsync(320, 240);
            sandbox = SandboxProcesses.Of(first.SessionFolder(session.Id));
        }
        Assert.All(sandbox, p => Assert.False(SandboxProcesses.IsAlive(p), $"{p.Command} outlived the server"));

        await using var second = new RestartedServer(_dataDir);
        await second.InitializeAsync();
        using var again = second.As(tokens);

        // The signing key lives in the data dir, so a token issued before the restart still works.
        Assert.Equal("restarter", (await again.GetAsync<UserDto>("/api/auth/me")).Username);
        var ended = await again.GetAsync<SessionDto>($"/api/sessions/{session.Id}");
        Assert.Equal(SessionStatus.Terminated, ended.Status);
        Assert.Contains("restarted", ended.Reason);
        Assert.Empty(await again.GetAsync<List<SessionDto>>("/api/sessions"));
    }

    private static async Task<string> BannerAsync(ApiClient client, Guid sessionId)
    {
        using var socket = await client.ConnectAsync(sessionId);
        await using var stream = WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: false);
        var banner = new byte[12];
        await stream.ReadExactlyAsync(banner);
        return System.Text.Encoding.ASCII.GetString(banner);
    }

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);
}

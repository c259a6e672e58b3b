using Sortie.Auth;
using Sortie.Data;
using Sortie.Sessions;
using Sortie.Tests.Sessions;

namespace Sortie.Tests.Hosting;

public sealed class RestartTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("sortie-restart-").FullName;

    [Fact]
    public async Task After_a_restart_accounts_and_tokens_hold_and_old_sessions_are_ended()
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
        Assert.All(sandbox, p => Assert.False(SandboxProcesses.IsAlive(p.Pid), $"{p.Command} outlived the server"));

        await using var second = new RestartedServer(_dataDir);
        await second.InitializeAsync();
        using var again = second.Anonymous();
        again.Http.DefaultRequestHeaders.Authorization = new("Bearer", tokens.AccessToken);

        // The signing key lives in the data dir, so a token issued before the restart still works.
        Assert.Equal("restarter", (await ApiClient.ReadAsync<UserDto>(await again.Http.GetAsync("/api/auth/me"))).Username);
        var ended = await ApiClient.ReadAsync<SessionDto>(await again.Http.GetAsync($"/api/sessions/{session.Id}"));
        Assert.Equal(SessionStatus.Terminated, ended.Status);
        Assert.Contains("restarted", ended.Reason);
        using var relogin = await second.LoginAsync("restarter", "restarter-password");
        Assert.Empty(await relogin.GetAsync<List<SessionDto>>("/api/sessions"));
    }

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);
}

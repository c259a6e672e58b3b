using Sortie.Data;

namespace Sortie.Tests.Sessions;

public sealed class IdleTimeoutTests(ShortTimeoutServer server) : IClassFixture<ShortTimeoutServer>
{
    [Fact]
    public async Task A_session_nobody_watches_ends_after_the_timeout()
    {
        using var user = await server.NewUserAsync();
        var session = await user.LaunchDesktopAsync();
        server.Clock.Advance(ShortTimeoutServer.Timeout + TimeSpan.FromSeconds(1));

        var ended = await user.WaitForStatusAsync(session.Id, SessionStatus.Terminated, TimeSpan.FromSeconds(10));
        Assert.Contains("idle", ended.Reason);
        Assert.True(await Eventually.TrueAsync(() => !Directory.Exists(server.SessionFolder(session.Id))), "The folder is still there.");
    }

    [Fact]
    public async Task A_watched_session_stays_past_the_timeout()
    {
        using var user = await server.NewUserAsync();
        var session = await user.LaunchDesktopAsync();
        using var viewer = await user.ConnectAsync(session.Id);
        var unwatched = await user.LaunchDesktopAsync();

        // Twice the timeout later, the idle sweep has run (the unwatched session is gone) and left the watched one.
        server.Clock.Advance(2 * ShortTimeoutServer.Timeout);
        await user.WaitForStatusAsync(unwatched.Id, SessionStatus.Terminated, TimeSpan.FromSeconds(10));
        Assert.Equal(SessionStatus.Running, (await user.GetAsync<Sortie.Sessions.SessionDto>($"/api/sessions/{session.Id}")).Status);
        await user.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
    }
}

using Sortie.Data;

namespace Sortie.Tests.Faults;

/// <summary>The server stopped as an operator stops it (SIGTERM) while people are watching.</summary>
public sealed class GracefulStopTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("sortie-stop-").FullName;

    [Fact]
    public async Task A_stop_tells_every_viewer_the_server_is_stopping_ends_event_streams_and_does_not_wait_for_them()
    {
        // Sessions end with this server, so the test leaves nothing behind.
        await using var server = await ServerProcess.StartAsync(_dataDir, new Dictionary<string, string> { ["SORTIE_STOP_SESSIONS_ON_EXIT"] = "true" });
        using var admin = await server.AdminAsync();
        using var owner = await admin.NewUserAsync(UserRole.User, "stop-owner");
        using var viewer = await admin.NewUserAsync(UserRole.User, "stop-viewer");
        var session = await owner.LaunchDesktopAsync(320, 240);
        await owner.InviteAsync(session.Id, "stop-viewer", SharePermission.ReadOnly);
        using var ownerView = await owner.ConnectAsync(session.Id);
        using var viewerView = await viewer.ConnectAsync(session.Id);
        await ownerView.ReadBannerAsync();
        await viewerView.ReadBannerAsync();
        await using var events = await EventStream.OpenAsync(owner);

        var closes = Task.WhenAll(ownerView.WaitForCloseAsync(TimeSpan.FromSeconds(30)), viewerView.WaitForCloseAsync(TimeSpan.FromSeconds(30)));
        var took = await server.StopAsync(TimeSpan.FromSeconds(60));

        TestContext.Current.TestOutputHelper?.WriteLine($"stopped in {took?.TotalMilliseconds:0} ms");
        Assert.All(await closes, close => Assert.Equal((4003, "server stopping"), close));
        Assert.True(events.Ended.IsCompleted, "The event stream was still open after the server stopped.");
        // Nothing is left to wait for: the stop takes about a second, not the host's 30 s shutdown timeout.
        Assert.True(took < TimeSpan.FromSeconds(10), $"The stop took {took?.TotalSeconds.ToString("0.0") ?? "more than 60"} s.");
    }

    public void Dispose()
    {
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}

using Microsoft.Extensions.DependencyInjection;
using Sortie.Apps;
using Sortie.Data;
using Sortie.Platform;
using Sortie.Recordings;

namespace Sortie.Tests.Recordings;

/// <summary>
/// What may be recorded, and how recordings go: past their retention, or when their row went with their owner's account.
/// A server of its own: the test moves its clock a month on, which would make later logins' tokens not yet valid.
/// </summary>
public sealed class RecordingRetentionTests(SortieServer server) : IClassFixture<SortieServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_app_not_recorded_cannot_be_and_a_recording_past_its_retention_or_without_its_row_is_swept_away()
    {
        using var owner = await server.NewUserAsync();
        var plain = await owner.LaunchDesktopAsync(320, 240);
        var refused = await owner.PostAsync($"/api/sessions/{plain.Id}/recording", new RecordingRequest(true));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);

        using (var admin = await server.AdminAsync())
            await admin.PostAsync("/api/apps", new AppRequest("recorded-optional", LaunchType.Container, StreamProtocol.Vnc,
                Command: "exec openbox --startup xterm", Recording: RecordingPolicy.Optional));
        var session = await owner.LaunchAsync("recorded-optional", 320, 240);
        await owner.PostAsync($"/api/sessions/{session.Id}/recording", new RecordingRequest(true));
        await owner.PostAsync($"/api/sessions/{session.Id}/recording", new RecordingRequest(false));
        var recording = Assert.Single(await owner.GetAsync<List<RecordingDto>>("/api/recordings"), r => r.SessionId == session.Id);
        var file = RecordingFile.PathOf(server.Services.GetRequiredService<SortieOptions>().RecordingsDir, recording.Id);
        Assert.True(File.Exists(file));

        // A file whose recording is gone (its owner's account was deleted, and the rows with it) goes at the sweep.
        var orphan = RecordingFile.PathOf(Path.GetDirectoryName(file)!, Guid.CreateVersion7());
        await File.WriteAllBytesAsync(orphan, RecordingFile.Magic.ToArray(), Ct);
        var recordings = server.Services.GetRequiredService<RecordingManager>();
        await recordings.SweepAsync(Ct);
        Assert.True(File.Exists(file), "a new recording was swept");
        Assert.False(File.Exists(orphan), "a file without its recording stayed");

        server.Clock.Advance(server.Services.GetRequiredService<SortieOptions>().RecordingRetention + TimeSpan.FromHours(1));
        await recordings.SweepAsync(Ct);
        Assert.False(File.Exists(file));
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.GetAsync($"/api/recordings/{recording.Id}", Ct)).StatusCode);
    }
}

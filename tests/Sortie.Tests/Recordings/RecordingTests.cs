using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sortie.Apps;
using Sortie.Audit;
using Sortie.Data;
using Sortie.Platform;
using Sortie.Recordings;
using Sortie.Rfb;
using Sortie.Rfb.Testing;
using Sortie.Sessions;

namespace Sortie.Tests.Recordings;

/// <summary>
/// A real session recorded by the server while a full-access guest types: the file replays, through the tests' own RFB
/// client, to the picture the desktop shows; it names the guest's keys; owners and admins alone reach it; it goes when old.
/// </summary>
public sealed class RecordingTests(SortieServer server) : IClassFixture<SortieServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<AppDto> RecordedAppAsync(string name, RecordingPolicy policy)
    {
        using var admin = await server.AdminAsync();
        var apps = await admin.GetAsync<List<AppDto>>("/api/apps");
        if (apps.FirstOrDefault(a => a.Name == name) is { } existing) return existing;
        var created = await admin.PostAsync("/api/apps", new AppRequest(name, LaunchType.Container, StreamProtocol.Vnc,
            Command: "exec openbox --startup xterm", Recording: policy));
        return await ApiClient.ReadAsync<AppDto>(created);
    }

    /// <summary>The whole desktop in the recorder's format, once it has stayed the same for a second and a half.</summary>
    private static async Task<ulong> SettledPictureAsync(ApiClient viewer, Guid sessionId)
    {
        await using var live = await viewer.ViewAsync(sessionId);
        await live.SetPixelFormatAsync(PixelFormat.Rgb888, Ct);
        await live.SetEncodingsAsync([RfbConstants.Encodings.Raw], Ct);
        ulong last = 0;
        var stableSince = DateTime.UtcNow;
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            await live.RequestUpdateAsync(incremental: false, Ct);
            await live.WaitForUpdateAsync(Timeout, Ct);
            var now = live.Framebuffer.Checksum();
            if (now != last) (last, stableSince) = (now, DateTime.UtcNow);
            else if (DateTime.UtcNow - stableSince > TimeSpan.FromSeconds(1.5)) return now;
            await Task.Delay(250, Ct);
        }
        throw new TimeoutException("The desktop did not settle.");
    }

    [Fact]
    public async Task A_recording_of_a_guest_typing_replays_to_the_desktops_picture_and_names_the_guests_keys()
    {
        await RecordedAppAsync("recorded-optional", RecordingPolicy.Optional);
        using var owner = await server.NewUserAsync();
        using var guest = await server.NewUserAsync();
        var session = await owner.LaunchAsync("recorded-optional", 320, 240);
        Assert.Equal(RecordingPolicy.Optional, session.RecordingPolicy);
        await owner.InviteAsync(session.Id, guest.User.Username, SharePermission.ReadWrite);

        var started = await ApiClient.ReadAsync<SessionRecordingDto>(
            await owner.PostAsync($"/api/sessions/{session.Id}/recording", new RecordingRequest(true)));
        Assert.True(started.Recording);
        Assert.True((await guest.GetAsync<SessionRecordingDto>($"/api/sessions/{session.Id}/recording")).Recording);

        await using (var typing = await guest.ViewAsync(session.Id))
        {
            foreach (var c in "echo recorded by the guest\r")
            {
                var keysym = c == '\r' ? 0xff0du : c;
                await typing.SendKeyAsync(keysym, down: true, Ct);
                await typing.SendKeyAsync(keysym, down: false, Ct);
            }
            var picture = await SettledPictureAsync(owner, session.Id);
            await Task.Delay(Recorder.FlushInterval, Ct); // the recorder asks ten times a second: it has the last change

            var stopped = await ApiClient.ReadAsync<SessionRecordingDto>(
                await owner.PostAsync($"/api/sessions/{session.Id}/recording", new RecordingRequest(false)));
            Assert.False(stopped.Recording);

            var recording = Assert.Single((await owner.GetAsync<List<RecordingDto>>("/api/recordings")));
            Assert.Equal((session.Id, "recorded-optional", owner.User.Username, false), (recording.SessionId, recording.AppName,
                recording.OwnerUsername, recording.Running));
            Assert.Equal($"stopped by {owner.User.Username}", recording.StopReason);
            Assert.Contains(guest.User.Username, recording.Participants);

            var file = await owner.Http.GetByteArrayAsync(recording.FileUrl, Ct);
            Assert.Equal(recording.SizeBytes, file.Length);
            var entries = await ReadAsync(file);
            var (replayed, updates) = await RecordingReplay.FinalPictureAsync(entries);
            Assert.True(updates > 1, $"{updates} updates recorded");
            Assert.Equal(picture, replayed.Checksum());

            // Who typed what: the guest's join, then their keys as the desktop got them.
            var events = entries.Where(e => e.Kind == RecordKind.Event)
                .Select(e => JsonSerializer.Deserialize<RecordingEvent>(e.Payload.Span, SortieJson.Options)!).ToList();
            Assert.Equal("start", events[0].Type);
            var join = Assert.Single(events, e => e.Type == "join" && e.User == guest.User.Username);
            Assert.Equal((SharePermission.ReadWrite, AccessVia.Share), (join.Permission, join.Via));
            var typed = entries.Where(e => e.Kind == RecordKind.Key && BinaryPrimitives.ReadUInt16BigEndian(e.Payload.Span) == join.Viewer)
                .Where(e => e.Payload.Span[2] == 1).Select(e => (char)BinaryPrimitives.ReadUInt32BigEndian(e.Payload.Span[3..]));
            Assert.StartsWith("echo recorded by the guest", new string(typed.ToArray()));
            Assert.Equal("stop", events[^1].Type);
        }

        // The guest watched, but a recording is its owner's and the admins': to the guest it does not exist.
        var id = (await owner.GetAsync<List<RecordingDto>>("/api/recordings"))[0].Id;
        Assert.Empty(await guest.GetAsync<List<RecordingDto>>("/api/recordings"));
        Assert.Equal(HttpStatusCode.NotFound, (await guest.Http.GetAsync($"/api/recordings/{id}/file", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await guest.Http.DeleteAsync($"/api/recordings/{id}", Ct)).StatusCode);
        var forbidden = await guest.PostAsync($"/api/sessions/{session.Id}/recording", new RecordingRequest(true));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        using var admin = await server.AdminAsync();
        Assert.Contains(await admin.GetAsync<List<RecordingDto>>("/api/recordings"), r => r.Id == id);
        var audit = await owner.GetAsync<List<AuditEventDto>>($"/api/sessions/{session.Id}/audit");
        Assert.Contains(audit, a => a.Action == AuditActions.RecordingStarted);
        Assert.Contains(audit, a => a.Action == AuditActions.RecordingStopped && a.Detail == $"stopped by {owner.User.Username}");
        Assert.Contains(audit, a => a.Action == AuditActions.RecordingViewed);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/recordings/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.GetAsync($"/api/recordings/{id}", Ct)).StatusCode);
    }

    [Fact]
    public async Task An_app_recorded_always_records_from_the_start_the_owner_cannot_stop_it_and_the_end_of_the_session_ends_it()
    {
        await RecordedAppAsync("recorded-always", RecordingPolicy.Always);
        using var owner = await server.NewUserAsync();
        var session = await owner.LaunchAsync("recorded-always", 320, 240);
        Assert.True(await Eventually.TrueAsync(async () =>
            (await owner.GetAsync<SessionRecordingDto>($"/api/sessions/{session.Id}/recording")).Recording, Timeout),
            "the recording did not start with the session");

        var refused = await owner.PostAsync($"/api/sessions/{session.Id}/recording", new RecordingRequest(false));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/sessions/{session.Id}", Ct)).StatusCode);
        var recording = Assert.Single(await owner.GetAsync<List<RecordingDto>>("/api/recordings"));
        Assert.Equal(("session ended", RecordingPolicy.Always, "policy"), (recording.StopReason, recording.Policy, recording.StartedBy));
        // Made because the app is recorded always: the admins' to delete, not the owner's.
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.Http.DeleteAsync($"/api/recordings/{recording.Id}", Ct)).StatusCode);
    }

    private static async Task<List<RecordingEntry>> ReadAsync(byte[] file)
    {
        var entries = new List<RecordingEntry>();
        await foreach (var entry in RecordingReader.ReadAsync(new MemoryStream(file))) entries.Add(entry);
        return entries;
    }
}

using System.Diagnostics;
using Sortie.Apps;
using Sortie.Data;
using Sortie.Recordings;
using Sortie.Rfb.Testing;
using Sortie.Sessions;

namespace Sortie.Tests.Recordings;

/// <summary>
/// What goes wrong around a recording: the server killed while it records (the file stays playable up to there), the
/// recordings' disk filling up (the recording stops, saying why; the session and its viewers go on), the size limit.
/// </summary>
public sealed class RecordingFaultTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _dataDir = Directory.CreateTempSubdirectory("sortie-recording-").FullName;
    private string? _mounted;

    private static async Task CreateAppAsync(ApiClient admin, RecordingPolicy policy)
    {
        var created = await admin.PostAsync("/api/apps", new AppRequest("recorded", LaunchType.Container, StreamProtocol.Vnc,
            Command: "exec openbox --startup xterm", Recording: policy));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    /// <summary>Types a line into the session's terminal (small desktops: xterm has the focus) as its owner.</summary>
    private static async Task TypeAsync(RfbClient viewer, string line)
    {
        foreach (var c in line + "\r")
        {
            var keysym = c == '\r' ? 0xff0du : c;
            await viewer.SendKeyAsync(keysym, down: true, Ct);
            await viewer.SendKeyAsync(keysym, down: false, Ct);
        }
    }

    [Fact]
    public async Task A_server_killed_while_recording_leaves_a_playable_file_closed_as_interrupted_after_the_restart()
    {
        Guid sessionId;
        string file;
        await using (var first = await ServerProcess.StartAsync(_dataDir))
        {
            using var admin = await first.AdminAsync();
            await CreateAppAsync(admin, RecordingPolicy.Always);
            using var owner = await admin.NewUserAsync(UserRole.User, "rec-owner");
            sessionId = (await owner.LaunchAsync("recorded", 320, 240)).Id;
            Assert.True(await Eventually.TrueAsync(async () =>
                (await owner.GetAsync<SessionRecordingDto>($"/api/sessions/{sessionId}/recording")).Recording, Timeout));
            await using (var view = await owner.ViewAsync(sessionId))
            {
                await view.RequestUpdateAsync(incremental: false, Ct);
                await view.WaitForPictureAsync(f => f.CountDistinctColours() > 1, Timeout, Ct);
                await TypeAsync(view, "echo before the crash");
                await Task.Delay(Recorder.FlushInterval * 3, Ct); // flushed to the disk since
            }
            file = Assert.Single(Directory.GetFiles(Path.Combine(_dataDir, "recordings")));
            await first.KillAsync();
        }

        // Playable up to the crash: the desktop's pictures decode, the owner's keys are there, and it never says "stop".
        var entries = await RecordingReader.ReadFileAsync(file, Ct);
        var (picture, updates) = await RecordingReplay.FinalPictureAsync(entries);
        Assert.True(updates > 0 && picture.CountDistinctColours() > 1, $"{updates} updates, {picture.CountDistinctColours()} colours");
        Assert.Contains(entries, e => e.Kind == RecordKind.Key);
        Assert.DoesNotContain(entries, e => e.Kind == RecordKind.Event && e.Payload.Span.IndexOf("\"stop\""u8) >= 0);

        await using var second = await ServerProcess.StartAsync(_dataDir, new Dictionary<string, string> { ["SORTIE_STOP_SESSIONS_ON_EXIT"] = "true" });
        using var ownerAgain = await ApiClient.LoginAsync(second.BaseUri, "rec-owner", "rec-owner-password");
        var closed = Assert.Single(await ownerAgain.GetAsync<List<RecordingDto>>("/api/recordings"), r => r.StopReason is not null);
        Assert.Equal(("interrupted: its server stopped", new FileInfo(file).Length), (closed.StopReason, closed.SizeBytes));
        // It ends at its last record.
        Assert.InRange(closed.DurationSeconds, entries[^1].TimeMs / 1000.0 - 0.1, entries[^1].TimeMs / 1000.0 + 0.1);
        var downloaded = await ownerAgain.Http.GetByteArrayAsync(closed.FileUrl, Ct);
        Assert.Equal(await File.ReadAllBytesAsync(file, Ct), downloaded);
        await ownerAgain.Http.DeleteAsync($"/api/sessions/{sessionId}", Ct);
    }

    [Fact]
    public async Task A_full_disk_stops_the_recording_saying_so_and_the_session_and_its_viewer_go_on()
    {
        Assert.SkipUnless(Environment.UserName == "root", "Mounting a small disk needs root.");
        var recordings = Directory.CreateDirectory(Path.Combine(_dataDir, "recordings")).FullName;
        var (mounted, why) = await RunAsync("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", recordings);
        Assert.SkipUnless(mounted, $"Cannot mount a tmpfs here: {why}");
        _mounted = recordings;
        // Leave the recording a few kilobytes.
        await File.WriteAllBytesAsync(Path.Combine(recordings, "filler"), new byte[new DriveInfo(recordings).AvailableFreeSpace - (8 << 10)], Ct);

        await using var server = await ServerProcess.StartAsync(_dataDir, new Dictionary<string, string> { ["SORTIE_STOP_SESSIONS_ON_EXIT"] = "true" });
        using var admin = await server.AdminAsync();
        await CreateAppAsync(admin, RecordingPolicy.Optional);
        using var owner = await admin.NewUserAsync(UserRole.User, "full-owner");
        var session = await owner.LaunchAsync("recorded", 320, 240);
        await using var view = await owner.ViewAsync(session.Id);
        await view.RequestUpdateAsync(incremental: false, Ct);
        await view.WaitForPictureAsync(f => f.CountDistinctColours() > 1, Timeout, Ct);
        Assert.True((await ApiClient.ReadAsync<SessionRecordingDto>(
            await owner.PostAsync($"/api/sessions/{session.Id}/recording", new RecordingRequest(true)))).Recording);

        // A terminal printing listings without end fills the rest of the disk.
        await TypeAsync(view, "while :; do ls -l /usr/bin; done");
        Assert.True(await Eventually.TrueAsync(async () =>
            !(await owner.GetAsync<SessionRecordingDto>($"/api/sessions/{session.Id}/recording")).Recording, Timeout),
            $"the recording went on on a full disk ({new DriveInfo(recordings).AvailableFreeSpace} bytes free): {await server.ReadLogAsync()}");
        var recording = Assert.Single(await owner.GetAsync<List<RecordingDto>>("/api/recordings"));
        Assert.Equal("disk full", recording.StopReason);
        var audit = await owner.GetAsync<List<Sortie.Audit.AuditEventDto>>($"/api/sessions/{session.Id}/audit");
        Assert.Contains(audit, a => a.Action == Sortie.Audit.AuditActions.RecordingStopped && a.Detail == "disk full");

        // The session and its viewer never noticed: the listings still scroll by.
        Assert.Equal(SessionStatus.Running, (await owner.GetAsync<SessionDto>($"/api/sessions/{session.Id}")).Status);
        await view.WaitForPictureAsync(_ => true, Timeout, Ct); // the picture now
        var before = view.Framebuffer.Checksum();
        await view.WaitForPictureAsync(f => f.Checksum() != before, Timeout, Ct);
        // What reached the disk stays readable.
        var entries = await RecordingReader.ReadFileAsync(RecordingFile.PathOf(recordings, recording.Id), Ct);
        Assert.True((await RecordingReplay.FinalPictureAsync(entries)).Updates > 0);
    }

    [Fact]
    public async Task A_writer_refuses_a_record_past_the_size_limit_and_keeps_what_it_wrote()
    {
        var path = Path.Combine(_dataDir, "limit" + RecordingFile.Extension);
        long written;
        await using (var writer = new RecordingWriter(path, maxBytes: 10_000, TimeProvider.System))
        {
            var refused = Assert.Throws<RecordingFileException>(() =>
            {
                for (var i = 0; i < 100; i++) writer.Append(RecordKind.Desktop, new byte[1000]);
            });
            Assert.Equal("size limit reached", refused.Message);
            written = writer.Length;
        }
        Assert.InRange(written, 9_000, 10_000);
        Assert.Equal(written, new FileInfo(path).Length);
        Assert.Equal(9, (await RecordingReader.ReadFileAsync(path, Ct)).Count);
    }

    private static async Task<(bool Ok, string Output)> RunAsync(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = await process.StandardError.ReadToEndAsync() + await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode == 0, output.Trim());
    }

    public void Dispose()
    {
        if (_mounted is not null) RunAsync("umount", "-l", _mounted).GetAwaiter().GetResult();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}

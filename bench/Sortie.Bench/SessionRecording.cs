using Sortie.Apps;
using Sortie.Data;
using Sortie.Recordings;
using Sortie.Testing;

namespace Sortie.Bench;

/// <summary>
/// A session's recording switched on and off through the API, as its owner does (issue 18: the gateway's rows measured with
/// the session recorded and not), and how much it has written. Each recording is deleted once stopped: a throughput run
/// records a full-screen picture ten times a second, half a gigabyte in a window.
/// </summary>
internal sealed class SessionRecording(ApiClient owner, Guid sessionId)
{
    private Guid? _id;

    /// <summary>
    /// An app like <paramref name="model"/> (the same command) whose sessions may be recorded at their owner's wish: recording
    /// on and off are then the same session, the recorder alone differing.
    /// </summary>
    public static async Task<AppDto> RecordableAppAsync(ApiClient admin, string model)
    {
        var name = $"{model}-recordable";
        var apps = await admin.GetAsync<List<AppDto>>("/api/apps");
        if (apps.FirstOrDefault(a => a.Name == name) is { } existing) return existing;
        var like = apps.Single(a => a.Name == model);
        return await ApiClient.ReadAsync<AppDto>(await admin.PostAsync("/api/apps",
            new AppRequest(name, like.LaunchType, like.Protocol, Command: like.Command, Recording: RecordingPolicy.Optional)));
    }

    public async Task StartAsync()
    {
        var state = await ApiClient.ReadAsync<SessionRecordingDto>(
            await owner.PostAsync($"/api/sessions/{sessionId}/recording", new RecordingRequest(true)));
        _id = state.RecordingId ?? throw new InvalidOperationException("The recording did not start.");
    }

    /// <summary>Bytes in the running recording's file, those still buffered included (the server's own count).</summary>
    public async Task<long> BytesAsync() =>
        (await owner.GetAsync<RecordingDto>($"/api/recordings/{_id ?? throw new InvalidOperationException("Not recording.")}")).SizeBytes;

    /// <summary>Stops the recording (its file closed and forced to the disk) and deletes it.</summary>
    public async Task StopAsync()
    {
        (await owner.PostAsync($"/api/sessions/{sessionId}/recording", new RecordingRequest(false))).EnsureSuccessStatusCode();
        if (_id is { } id) (await owner.Http.DeleteAsync($"/api/recordings/{id}")).EnsureSuccessStatusCode();
        _id = null;
    }
}

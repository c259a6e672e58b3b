using System.Buffers.Binary;
using Sortie.Apps;
using Sortie.Data;
using Sortie.Recordings;

namespace Sortie.Tests.Recordings;

/// <summary>SORTIE_RECORDING_KEYS=false: a recording keeps that keys were pressed, when and by whom, never which.</summary>
public sealed class RecordingWithoutKeysTests(RecordingWithoutKeysTests.Server server) : IClassFixture<RecordingWithoutKeysTests.Server>
{
    public sealed class Server : SortieServer
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("SORTIE_RECORDING_KEYS", "false")];
    }

    [Fact]
    public async Task Keys_are_counted_but_not_named()
    {
        var ct = TestContext.Current.CancellationToken;
        using (var admin = await server.AdminAsync())
            await admin.PostAsync("/api/apps", new AppRequest("recorded", LaunchType.Container, StreamProtocol.Vnc,
                Command: "exec openbox --startup xterm", Recording: RecordingPolicy.Optional));
        using var owner = await server.NewUserAsync();
        var session = await owner.LaunchAsync("recorded", 320, 240);
        await owner.PostAsync($"/api/sessions/{session.Id}/recording", new RecordingRequest(true));
        await using (var view = await owner.ViewAsync(session.Id))
        {
            foreach (var c in "hunter2")
            {
                await view.SendKeyAsync(c, down: true, ct);
                await view.SendKeyAsync(c, down: false, ct);
            }
            await view.SendPointerAsync(10, 10, buttons: 1, ct);
            await view.SendPointerAsync(10, 10, buttons: 0, ct);
            await Task.Delay(200, ct); // the gateway passes them on
        }
        await owner.PostAsync($"/api/sessions/{session.Id}/recording", new RecordingRequest(false));

        var recording = Assert.Single(await owner.GetAsync<List<RecordingDto>>("/api/recordings"));
        Assert.False(recording.KeysLogged);
        var entries = await RecordingReader.ReadFileAsync(
            RecordingFile.PathOf(Path.Combine(server.DataDir, "recordings"), recording.Id), ct);
        var keys = entries.Where(e => e.Kind == RecordKind.Key).ToList();
        Assert.Equal(14, keys.Count); // seven keys, each down and up
        Assert.All(keys, k => Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(k.Payload.Span[3..])));
        // The pointer is kept whole: where and which buttons.
        var pointer = entries.Where(e => e.Kind == RecordKind.Pointer).Select(e => e.Payload.Span[2]).ToList();
        Assert.Equal([1, 0], pointer.TakeLast(2));
    }
}

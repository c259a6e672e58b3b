using System.Text.Json;
using System.Threading.Channels;
using Sortie.Events;
using Sortie.Platform;

namespace Sortie.Testing;

/// <summary>A user's server-sent event stream (GET /api/events), read in the background.</summary>
public sealed class EventStream : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<PortalEvent> _events = Channel.CreateUnbounded<PortalEvent>();
    private readonly Task _reader;

    private EventStream(Stream body) => _reader = ReadAsync(body);

    /// <summary>Opens the stream and returns once the server says it is subscribed, so no later event is missed.</summary>
    public static async Task<EventStream> OpenAsync(ApiClient client)
    {
        var response = await client.Http.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var stream = new EventStream(await response.Content.ReadAsStreamAsync());
        await stream.NextAsync(e => e.Type == "ready", TimeSpan.FromSeconds(5));
        return stream;
    }

    /// <summary>The next event that matches, or null if none comes in time.</summary>
    public async Task<PortalEvent?> NextAsync(Func<PortalEvent, bool> match, TimeSpan? timeout = null)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        limit.CancelAfter(timeout ?? TimeSpan.FromSeconds(5));
        try
        {
            while (true)
            {
                var e = await _events.Reader.ReadAsync(limit.Token);
                if (match(e)) return e;
            }
        }
        catch (OperationCanceledException) { return null; }
    }

    /// <summary>Completes when the server ends the stream (or this side disposes it).</summary>
    public Task Ended => _reader;

    /// <summary>Everything received so far and not yet read.</summary>
    public List<PortalEvent> Drain()
    {
        var all = new List<PortalEvent>();
        while (_events.Reader.TryRead(out var e)) all.Add(e);
        return all;
    }

    private async Task ReadAsync(Stream body)
    {
        using var reader = new StreamReader(body);
        try
        {
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
                if (line.StartsWith("data: "))
                    _events.Writer.TryWrite(JsonSerializer.Deserialize<PortalEvent>(line["data: ".Length..], SortieJson.Options)!);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reader;
        _stop.Dispose();
    }
}

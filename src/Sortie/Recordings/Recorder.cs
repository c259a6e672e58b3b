using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text.Json;
using Sortie.Data;
using Sortie.Platform;
using Sortie.Rfb;
using Sortie.Viewers;

namespace Sortie.Recordings;

/// <summary>
/// Records one session: a connection of its own to the desktop, as a view-only viewer would have (so no viewer's stream is
/// touched, slowed or depended on), whose every byte goes to the file; and who was there and what their input was,
/// told by the gateway. It asks the desktop for updates ten times a second, in ZRLE (lossless; noVNC and the tests decode
/// it) in noVNC's pixel format, so the stream plays in the browser as it was recorded. The desktop's clipboard is left out.
/// </summary>
public sealed class Recorder : IAsyncDisposable
{
    /// <summary>How often the file is forced to the disk: what a crash may lose.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private readonly RecordingWriter _writer;
    private readonly bool _logKeys;
    private readonly ConcurrentDictionary<Guid, ushort> _viewers = new();
    private readonly List<string> _participants = [];
    private readonly CancellationTokenSource _stop = new();
    private int _nextViewer;
    private string? _failure;
    private bool _ended;

    /// <summary>Begins the recording with its "start" event: what, whose, by whom (before anyone's join).</summary>
    public Recorder(Guid recordingId, RecordingStart start, RecordingWriter writer, bool logKeys)
    {
        (RecordingId, SessionId, _writer, _logKeys) = (recordingId, start.SessionId, writer, logKeys);
        Event(new RecordingEvent("start") { Session = start.SessionId, App = start.App, Owner = start.Owner, By = start.By,
            StartedAt = start.StartedAt, Keys = _logKeys });
    }

    public Guid RecordingId { get; }
    public Guid SessionId { get; }
    public long Length => _writer.Length;

    /// <summary>Everyone who has come while it records, in order.</summary>
    public IReadOnlyList<string> Participants
    {
        get { lock (_participants) return [.. _participants]; }
    }

    /// <summary>Why the recording had to stop by itself (disk full, size limit, desktop gone); null while it is fine.</summary>
    public string? Failure => Volatile.Read(ref _failure);

    /// <summary>Ends <see cref="RunAsync"/> (nothing, once it has ended).</summary>
    public void Stop()
    {
        try { _stop.Cancel(); }
        catch (ObjectDisposedException) { }
    }

    /// <summary>How many times a connection the desktop dropped before its first update is made again.</summary>
    private const int ConnectAttempts = 3;

    /// <summary>
    /// Records the desktop until stopped, the desktop goes or the file cannot grow. <paramref name="desktop"/> is the
    /// first connection; <paramref name="connect"/> makes another if the desktop drops one before its first update.
    /// </summary>
    public async Task RunAsync(Stream desktop, Func<CancellationToken, Task<Stream>> connect)
    {
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var stream = new RecorderConnection(desktop, _writer);
                try
                {
                    await RecordAsync(stream);
                    return;
                }
                catch (Exception e) when (e is IOException or EndOfStreamException or System.Net.Sockets.SocketException
                    && !stream.Started && attempt < ConnectAttempts && !_stop.IsCancellationRequested)
                {
                    await desktop.DisposeAsync();
                    desktop = await connect(_stop.Token);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
        catch (RecordingFileException e) { Fail(e.Message); }
        catch (RfbProtocolException e) { Fail($"the desktop's stream could not be followed ({e.Message})"); }
        catch (Exception e) when (e is IOException or EndOfStreamException or System.Net.Sockets.SocketException)
        {
            Fail("the desktop went away"); // its connection ended: the session ended, or its desktop stopped
        }
        finally
        {
            _stop.Cancel();
            await desktop.DisposeAsync();
        }
    }

    /// <summary>One connection's recording: its handshake, then its stream, update requests and flushes.</summary>
    private async Task RecordAsync(RecorderConnection stream)
    {
        await stream.HandshakeAsync(_stop.Token);
        using var flushing = new PeriodicTimer(FlushInterval);
        using var parts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        Task[] running = [stream.PumpAsync(parts.Token), stream.RequestUpdatesAsync(parts.Token), FlushAsync(flushing, parts.Token)];
        // The first part to end (the desktop closed, the file refused a write, a stop) ends the others, and says why.
        var first = await Task.WhenAny(running);
        await parts.CancelAsync();
        await Task.WhenAll(running.Select(part => part.ContinueWith(_ => { }, TaskScheduler.Default)));
        await first;
    }

    private async Task FlushAsync(PeriodicTimer timer, CancellationToken ct)
    {
        while (await timer.WaitForNextTickAsync(ct)) _writer.Flush();
    }

    /// <summary>A viewer is watching (joined now, or was there when the recording began).</summary>
    public void Join(Viewer viewer) => IndexOf(viewer);

    public void Leave(Viewer viewer, string reason)
    {
        if (_viewers.TryRemove(viewer.Id, out var index)) Event(new RecordingEvent("leave") { Viewer = index, Reason = reason });
    }

    public void Key(Viewer viewer, bool down, uint keysym)
    {
        Span<byte> payload = stackalloc byte[7];
        BinaryPrimitives.WriteUInt16BigEndian(payload, IndexOf(viewer));
        payload[2] = down ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(payload[3..], _logKeys ? keysym : 0);
        Append(RecordKind.Key, payload);
    }

    public void Pointer(Viewer viewer, byte buttons, ushort x, ushort y)
    {
        Span<byte> payload = stackalloc byte[7];
        BinaryPrimitives.WriteUInt16BigEndian(payload, IndexOf(viewer));
        payload[2] = buttons;
        BinaryPrimitives.WriteUInt16BigEndian(payload[3..], x);
        BinaryPrimitives.WriteUInt16BigEndian(payload[5..], y);
        Append(RecordKind.Pointer, payload);
    }

    public void Clipboard(Viewer viewer, long length)
    {
        Span<byte> payload = stackalloc byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(payload, IndexOf(viewer));
        BinaryPrimitives.WriteUInt32BigEndian(payload[2..], (uint)Math.Min(length, uint.MaxValue));
        Append(RecordKind.Clipboard, payload);
    }

    /// <summary>The last event, once it has stopped: nothing is written after it.</summary>
    public void End(string reason)
    {
        Event(new RecordingEvent("stop") { Reason = reason });
        Volatile.Write(ref _ended, true);
    }

    /// <summary>The viewer's number in this recording; the first time, its join event (who, how, with what rights).</summary>
    private ushort IndexOf(Viewer viewer)
    {
        if (_viewers.TryGetValue(viewer.Id, out var index)) return index;
        lock (_viewers)
        {
            if (_viewers.TryGetValue(viewer.Id, out index)) return index;
            index = (ushort)Math.Min(ushort.MaxValue, _nextViewer++);
            Event(new RecordingEvent("join")
            {
                Viewer = index, User = viewer.Username, Permission = viewer.Access.Permission, Via = viewer.Access.Via,
            });
            _viewers[viewer.Id] = index;
        }
        lock (_participants)
        {
            if (!_participants.Contains(viewer.Username)) _participants.Add(viewer.Username);
        }
        return index;
    }

    private void Event(RecordingEvent e) => Append(RecordKind.Event, JsonSerializer.SerializeToUtf8Bytes(e, SortieJson.Options));

    /// <summary>Appends a record; a file that cannot take it stops the recording (never the viewer whose input it was).</summary>
    private void Append(RecordKind kind, ReadOnlySpan<byte> payload)
    {
        if (Volatile.Read(ref _ended) || Failure is not null) return;
        try { _writer.Append(kind, payload); }
        catch (RecordingFileException e) { Fail(e.Message); }
        catch (ObjectDisposedException) { } // it has just ended
    }

    private void Fail(string reason)
    {
        Interlocked.CompareExchange(ref _failure, reason, null);
        _stop.Cancel();
    }

    public ValueTask DisposeAsync()
    {
        _stop.Dispose();
        return _writer.DisposeAsync();
    }
}

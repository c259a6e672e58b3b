using System.Buffers;
using System.Net.WebSockets;
using Sortie.Platform;
using Sortie.Rfb;
using Sortie.Viewers;

namespace Sortie.Gateway;

/// <summary>
/// Carries RFB between a viewer's WebSocket and the session's VNC server until either side ends or
/// the server closes the viewer (<see cref="Viewer.Close"/>), whose reason becomes the close frame.
/// Every viewer's messages are parsed and filtered by its rights (a view-only viewer's input never reaches
/// the server, and every viewer joins as a shared client); only a view-only viewer's server stream is
/// framed too, to withhold the clipboard. A full-access viewer's server stream is copied untouched.
/// </summary>
/// <remarks>
/// The desktop's bytes are read straight into the frame that carries them (<see cref="ViewerSocket.BeginFrameAsync"/>) and,
/// for a view-only viewer, filtered there in place: Sortie itself never copies a picture. Only the upstream read is
/// cancelled; the close handshake ends the rest, so the viewer always learns why it was closed.
/// </remarks>
public static class RfbRelay
{
    /// <summary>The frames to the viewer, desktop reads included: large, since fewer, larger frames cost less CPU per MB
    /// (measured in docs/benchmarks.md); pooled, and taken only while data moves.</summary>
    private const int FrameSize = 256 * 1024;
    /// <summary>Reads from the viewer: input is small (a key event is 8 bytes), and a long clipboard simply takes several.</summary>
    private const int ViewerReadSize = 16 * 1024;
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    /// <param name="desktopReachable">Whether the session's VNC server still takes connections: asked only when the
    /// desktop dropped a viewer that could not follow a resize, to tell that apart from a desktop that went away.</param>
    /// <param name="input">Told of the viewer's input that reaches the desktop (for a recording of the session).</param>
    public static async Task RunAsync(ViewerSocket socket, Stream upstream, Viewer viewer, Func<Task<bool>> desktopReachable,
        IInputObserver? input, SortieMetrics metrics, ILogger log, CancellationToken aborted)
    {
        var rights = viewer.Access.Rights;
        var state = new RfbStreamState();
        var fromViewerFilter = new ClientStreamFilter(rights, state) { Input = input };
        var toViewerFilter = rights == ViewerRights.ViewOnly ? new ServerStreamFilter(state) : null;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted, viewer.Closed);
        var fromViewer = ViewerToServerAsync(socket, upstream, fromViewerFilter, viewer, metrics, log, stop.Token);
        var toViewer = ServerToViewerAsync(upstream, socket, toViewerFilter, viewer, metrics, log, stop.Token);
        await Task.WhenAny(fromViewer, toViewer);
        // The desktop went away: its end of the stream closed, or broke (a killed Xvnc may reset rather than close).
        var upstreamEnded = !stop.IsCancellationRequested && (toViewer.IsCompletedSuccessfully
            || toViewer.Exception?.InnerException is IOException or System.Net.Sockets.SocketException);
        await stop.CancelAsync();

        // Let a frame in progress finish before the close frame goes out (one frame at a time).
        if (!await FinishesAsync(toViewer)) socket.Abort();
        var reason = viewer.ClosedBy ?? (!upstreamEnded ? null
            : !state.ViewerFollowsResize && await desktopReachable() ? CloseReason.DesktopResized
            : CloseReason.SessionEnded);
        if (socket.CanSend)
        {
            try
            {
                await socket.CloseAsync(reason is null ? WebSocketCloseStatus.NormalClosure : (WebSocketCloseStatus)reason.Code,
                    reason?.Text).AsTask().WaitAsync(CloseGrace);
                if (viewer.AccessChangedAt is { } changedAt) metrics.RevocationClosed(changedAt);
            }
            catch (Exception e) when (e is WebSocketException or IOException or TimeoutException or OperationCanceledException)
            {
                log.LogDebug("Viewer {ViewerId} went away before the close frame", viewer.Id);
            }
        }
        // Wait for the viewer's answering close frame, but not for ever.
        if (!await FinishesAsync(fromViewer)) socket.Abort();
    }

    private static async Task<bool> FinishesAsync(Task pump)
    {
        try { await pump.WaitAsync(CloseGrace); }
        catch (TimeoutException) { return false; }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException) { }
        return true;
    }

    private static async Task ViewerToServerAsync(ViewerSocket socket, Stream upstream, ClientStreamFilter filter, Viewer viewer,
        SortieMetrics metrics, ILogger log, CancellationToken stop)
    {
        var toServer = new ArrayBufferWriter<byte>();
        while (true)
        {
            await socket.WaitToReceiveAsync(); // a quiet viewer holds no buffer
            var buffer = ArrayPool<byte>.Shared.Rent(ViewerReadSize);
            try
            {
                var count = await socket.ReceiveAsync(buffer.AsMemory(0, ViewerReadSize));
                if (count == 0) return; // the viewer's close frame
                if (stop.IsCancellationRequested) continue; // closing: drain until the viewer's close frame
                toServer.ResetWrittenCount();
                try { filter.Process(buffer.AsSpan(0, count), toServer); }
                catch (RfbProtocolException e)
                {
                    Refuse(viewer, e, log);
                    continue;
                }
                if (toServer.WrittenCount > 0)
                {
                    await upstream.WriteAsync(toServer.WrittenMemory, stop);
                    metrics.ToDesktop(toServer.WrittenCount);
                }
            }
            finally { ArrayPool<byte>.Shared.Return(buffer); }
        }
    }

    private static async Task ServerToViewerAsync(Stream upstream, ViewerSocket socket, ServerStreamFilter? filter, Viewer viewer,
        SortieMetrics metrics, ILogger log, CancellationToken stop)
    {
        // The view-only filter works in place: it reads this far into the frame and writes a little before (see MaxOutputBeyondInput).
        var inputAt = filter is null ? 0 : ServerStreamFilter.MaxOutputBeyondInput;
        var output = new FrameWriter();
        var tally = new Tally(metrics.ToViewer);
        try
        {
            while (true)
            {
                // Waits for data before taking a frame (and the send lock) for it: a quiet desktop's viewers hold no memory,
                // and a pong or a close frame never waits on the desktop.
                tally.Report(); // before waiting: a quiet viewer's count is never behind
#pragma warning disable CA2022 // a zero-byte read reads nothing: it waits until the desktop has something to read
                await upstream.ReadAsync(Memory<byte>.Empty, stop);
#pragma warning restore CA2022
                var frame = await socket.BeginFrameAsync(FrameSize);
                int read, start = 0, length;
                try
                {
                    read = length = await upstream.ReadAsync(frame[inputAt..], stop);
                    if (filter is not null && read > 0)
                    {
                        // The output starts where the header held back from the last read goes, so what passes on stays put.
                        start = inputAt - filter.HeldBack;
                        output.Start(frame[start..]);
                        filter.Process(frame.Span.Slice(inputAt, read), output);
                        length = output.Written;
                    }
                }
                catch (RfbProtocolException e)
                {
                    socket.CancelFrame();
                    Refuse(viewer, e, log);
                    return;
                }
                catch
                {
                    socket.CancelFrame();
                    throw;
                }
                if (read == 0)
                {
                    socket.CancelFrame();
                    return;
                }
                await socket.EndFrameAsync(start, length);
                tally.Add(length);
            }
        }
        finally { tally.Report(); }
    }

    /// <summary>A stream the filter cannot parse closes this viewer (and only this one), saying why.</summary>
    private static void Refuse(Viewer viewer, RfbProtocolException e, ILogger log)
    {
        log.LogInformation("Viewer {ViewerId} ({User}) closed: {Problem}", viewer.Id, viewer.Username, e.Message);
        viewer.Close(CloseReason.ProtocolError(e.Message));
    }

    /// <summary>The filter's output, written into the frame the connection lent.</summary>
    private sealed class FrameWriter : IBufferWriter<byte>
    {
        private Memory<byte> _room;
        public int Written { get; private set; }

        public void Start(Memory<byte> room) => (_room, Written) = (room, 0);
        public void Advance(int count) => Written += count;
        public Memory<byte> GetMemory(int sizeHint = 0) => Free(sizeHint);
        public Span<byte> GetSpan(int sizeHint = 0) => Free(sizeHint).Span;

        private Memory<byte> Free(int sizeHint)
        {
            var free = _room[Written..];
            // Cannot happen: the frame has room for the input and MaxOutputBeyondInput more.
            if (free.Length < Math.Max(sizeHint, 1)) throw new InvalidOperationException("The filter's output outgrew its frame.");
            return free;
        }
    }

    /// <summary>Adds up bytes while a picture streams and reports them once a MiB or once a second, and whenever the relay
    /// waits for the desktop: metric updates were 1.4–2.2 % of the relay's CPU (docs/benchmarks.md).</summary>
    private sealed class Tally(Action<int> report)
    {
        private int _pending;
        private long _reportedAt = Environment.TickCount64;

        public void Add(int bytes)
        {
            _pending += bytes;
            if (_pending >= 1 << 20 || Environment.TickCount64 - _reportedAt >= 1000) Report();
        }

        public void Report()
        {
            if (_pending > 0) report(_pending);
            (_pending, _reportedAt) = (0, Environment.TickCount64);
        }
    }
}

using System.Buffers;
using System.Net.WebSockets;
using Sortie.Data;
using Sortie.Hosting;
using Sortie.Rfb;

namespace Sortie.Gateway;

/// <summary>
/// Carries RFB between a viewer's WebSocket and the session's VNC server until either side ends or
/// the server closes the viewer (<see cref="LiveViewer.Close"/>), whose reason becomes the close frame.
/// Every viewer's messages are parsed and filtered by its rights (a view-only viewer's input never reaches
/// the server, and every viewer joins as a shared client); only a view-only viewer's server stream is
/// framed too, to withhold the clipboard. A full-access viewer's server stream is copied untouched.
/// </summary>
/// <remarks>
/// WebSocket calls are never cancelled: cancelling one aborts the socket, and the viewer would get no
/// close frame and so no reason. Only the upstream read is cancelled; the close handshake ends the rest.
/// </remarks>
public static class RfbRelay
{
    /// <summary>Reads from the desktop: large, since fewer, larger WebSocket messages cost less CPU per MB (measured in
    /// docs/benchmarks.md); held only while data moves.</summary>
    private const int ServerReadSize = 256 * 1024;
    /// <summary>Reads from the viewer: input is small (a key event is 8 bytes), and a long clipboard simply takes several.</summary>
    private const int ViewerReadSize = 16 * 1024;
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    /// <param name="desktopReachable">Whether the session's VNC server still takes connections: asked only when the
    /// desktop dropped a viewer that could not follow a resize, to tell that apart from a desktop that went away.</param>
    public static async Task RunAsync(WebSocket socket, Stream upstream, LiveViewer viewer, Func<Task<bool>> desktopReachable,
        SortieMetrics metrics, ILogger log, CancellationToken aborted)
    {
        var rights = viewer.Access switch
        {
            { CanManage: true } => ViewerRights.Full,
            { Permission: SharePermission.ReadWrite } => ViewerRights.Control,
            _ => ViewerRights.ViewOnly,
        };
        var state = new RfbStreamState();
        var fromViewerFilter = new ClientStreamFilter(rights, state);
        var toViewerFilter = rights == ViewerRights.ViewOnly ? new ServerStreamFilter(state) : null;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted, viewer.Closed);
        var fromViewer = ViewerToServerAsync(socket, upstream, fromViewerFilter, viewer, metrics, log, stop.Token);
        var toViewer = ServerToViewerAsync(upstream, socket, toViewerFilter, viewer, metrics, log, stop.Token);
        await Task.WhenAny(fromViewer, toViewer);
        // The desktop went away: its end of the stream closed, or broke (a killed Xvnc may reset rather than close).
        var upstreamEnded = !stop.IsCancellationRequested && (toViewer.IsCompletedSuccessfully
            || toViewer.Exception?.InnerException is IOException or System.Net.Sockets.SocketException);
        await stop.CancelAsync();

        // Let a send in progress finish before the close frame goes out (one send at a time).
        if (!await FinishesAsync(toViewer)) socket.Abort();
        var reason = viewer.ClosedBy ?? (!upstreamEnded ? null
            : !state.ViewerFollowsResize && await desktopReachable() ? CloseReason.DesktopResized
            : CloseReason.SessionEnded);
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                await socket.CloseOutputAsync(reason is null ? WebSocketCloseStatus.NormalClosure : (WebSocketCloseStatus)reason.Code,
                    reason?.Text ?? "", CancellationToken.None).WaitAsync(CloseGrace);
                if (viewer.AccessChangedAt is { } changedAt) metrics.RevocationClosed(changedAt);
            }
            catch (Exception e) when (e is WebSocketException or IOException or TimeoutException)
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

    private static async Task ViewerToServerAsync(WebSocket socket, Stream upstream, ClientStreamFilter filter, LiveViewer viewer,
        SortieMetrics metrics, ILogger log, CancellationToken stop)
    {
        var buffer = new byte[ViewerReadSize];
        var toServer = new ArrayBufferWriter<byte>(ViewerReadSize);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close) return;
            if (stop.IsCancellationRequested) continue; // closing: drain until the viewer's close frame
            try { filter.Process(buffer.AsSpan(0, result.Count), toServer); }
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
            toServer.ResetWrittenCount();
        }
    }

    private static async Task ServerToViewerAsync(Stream upstream, WebSocket socket, ServerStreamFilter? filter, LiveViewer viewer,
        SortieMetrics metrics, ILogger log, CancellationToken stop)
    {
        var toViewer = filter is null ? null : new ArrayBufferWriter<byte>();
        while (true)
        {
            // Waits for data holding no buffer (a zero-byte read), so a quiet desktop's viewers cost no relay memory.
            await upstream.ReadAsync(Memory<byte>.Empty, stop);
            var buffer = ArrayPool<byte>.Shared.Rent(ServerReadSize);
            try
            {
                var read = await upstream.ReadAsync(buffer.AsMemory(0, ServerReadSize), stop);
                if (read == 0) return;
                ReadOnlyMemory<byte> send = buffer.AsMemory(0, read);
                if (filter is not null)
                {
                    toViewer!.ResetWrittenCount();
                    try { filter.Process(buffer.AsSpan(0, read), toViewer); }
                    catch (RfbProtocolException e)
                    {
                        Refuse(viewer, e, log);
                        return;
                    }
                    send = toViewer.WrittenMemory;
                }
                if (send.Length > 0)
                {
                    await socket.SendAsync(send, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
                    metrics.ToViewer(send.Length);
                }
            }
            finally { ArrayPool<byte>.Shared.Return(buffer); }
        }
    }

    /// <summary>A stream the filter cannot parse closes this viewer (and only this one), saying why.</summary>
    private static void Refuse(LiveViewer viewer, RfbProtocolException e, ILogger log)
    {
        log.LogInformation("Viewer {ViewerId} ({User}) closed: {Problem}", viewer.Id, viewer.Username, e.Message);
        viewer.Close(CloseReason.ProtocolError(e.Message));
    }
}

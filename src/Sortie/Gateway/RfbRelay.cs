using System.Net.WebSockets;

namespace Sortie.Gateway;

/// <summary>
/// Copies bytes between a viewer's WebSocket and the session's VNC server until either side ends or
/// the server closes the viewer (<see cref="LiveViewer.Close"/>), whose reason becomes the close frame.
/// </summary>
/// <remarks>
/// WebSocket calls are never cancelled: cancelling one aborts the socket, and the viewer would get no
/// close frame and so no reason. Only the upstream read is cancelled; the close handshake ends the rest.
/// </remarks>
public static class RfbRelay
{
    private const int BufferSize = 64 * 1024;
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    public static async Task RunAsync(WebSocket socket, Stream upstream, LiveViewer viewer, ILogger log, CancellationToken aborted)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted, viewer.Closed);
        var fromViewer = ViewerToServerAsync(socket, upstream, stop.Token);
        var toViewer = ServerToViewerAsync(upstream, socket, stop.Token);
        await Task.WhenAny(fromViewer, toViewer);
        var upstreamEnded = toViewer.IsCompletedSuccessfully && !stop.IsCancellationRequested;
        await stop.CancelAsync();

        // Let a send in progress finish before the close frame goes out (one send at a time).
        if (!await FinishesAsync(toViewer)) socket.Abort();
        var reason = viewer.ClosedBy ?? (upstreamEnded ? CloseReason.SessionEnded : null);
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                await socket.CloseOutputAsync(reason is null ? WebSocketCloseStatus.NormalClosure : (WebSocketCloseStatus)reason.Code,
                    reason?.Text ?? "", CancellationToken.None).WaitAsync(CloseGrace);
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

    private static async Task ViewerToServerAsync(WebSocket socket, Stream upstream, CancellationToken stop)
    {
        var buffer = new byte[BufferSize];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close) return;
            if (!stop.IsCancellationRequested) await upstream.WriteAsync(buffer.AsMemory(0, result.Count), stop);
        }
    }

    private static async Task ServerToViewerAsync(Stream upstream, WebSocket socket, CancellationToken stop)
    {
        var buffer = new byte[BufferSize];
        while (true)
        {
            var read = await upstream.ReadAsync(buffer, stop);
            if (read == 0) return;
            await socket.SendAsync(buffer.AsMemory(0, read), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
        }
    }
}

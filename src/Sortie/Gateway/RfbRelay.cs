using System.Net.WebSockets;

namespace Sortie.Gateway;

/// <summary>
/// Copies bytes between a viewer's WebSocket and the session's VNC server until either side ends or
/// the server closes the viewer (<see cref="LiveViewer.Close"/>), whose reason becomes the close frame.
/// </summary>
public static class RfbRelay
{
    private const int BufferSize = 64 * 1024;

    public static async Task RunAsync(WebSocket socket, Stream upstream, LiveViewer viewer, ILogger log, CancellationToken aborted)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted, viewer.Closed);
        var fromViewer = ViewerToServerAsync(socket, upstream, stop.Token);
        var toViewer = ServerToViewerAsync(upstream, socket, stop.Token);
        var first = await Task.WhenAny(fromViewer, toViewer);
        var upstreamEnded = first == toViewer && !viewer.Closed.IsCancellationRequested;
        await stop.CancelAsync();
        try { await Task.WhenAll(fromViewer, toViewer); }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException) { }

        var reason = viewer.ClosedBy ?? (upstreamEnded ? CloseReason.SessionEnded : null);
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await socket.CloseOutputAsync(reason is null ? WebSocketCloseStatus.NormalClosure : (WebSocketCloseStatus)reason.Code,
                    reason?.Text ?? "", timeout.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException)
            {
                log.LogDebug("Viewer {ViewerId} went away before the close frame", viewer.Id);
            }
        }
    }

    private static async Task ViewerToServerAsync(WebSocket socket, Stream upstream, CancellationToken ct)
    {
        var buffer = new byte[BufferSize];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close) return;
            await upstream.WriteAsync(buffer.AsMemory(0, result.Count), ct);
        }
    }

    private static async Task ServerToViewerAsync(Stream upstream, WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[BufferSize];
        while (true)
        {
            var read = await upstream.ReadAsync(buffer, ct);
            if (read == 0) return;
            await socket.SendAsync(buffer.AsMemory(0, read), WebSocketMessageType.Binary, endOfMessage: true, ct);
        }
    }
}

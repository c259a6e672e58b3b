using System.Net.WebSockets;

namespace Sortie.Testing;

public static class ViewerSockets
{
    /// <summary>
    /// Waits for the server's first message, the RFB banner: the gateway sends it once the viewer has passed every
    /// check and is relayed, so what happens after this meets a viewer that is fully connected.
    /// </summary>
    public static async Task<string> ReadBannerAsync(this ClientWebSocket socket, TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        var buffer = new byte[12];
        var result = await socket.ReceiveAsync(buffer, limit.Token);
        if (result.MessageType == WebSocketMessageType.Close) throw new InvalidOperationException($"Closed at once: {result.CloseStatusDescription}");
        return System.Text.Encoding.ASCII.GetString(buffer, 0, result.Count);
    }

    /// <summary>
    /// Runs <paramref name="act"/> and times it until the server's close frame reaches this viewer: the close code and
    /// reason, and how long it took (written to the test's output).
    /// </summary>
    public static async Task<((int Code, string Reason) Close, TimeSpan Took)> ClosedByAsync(this ClientWebSocket socket, Func<Task> act,
        TimeSpan? timeout = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var closing = socket.WaitForCloseAsync(timeout);
        await act();
        var close = await closing;
        Xunit.TestContext.Current.TestOutputHelper?.WriteLine($"closed in {clock.Elapsed.TotalMilliseconds:0.0} ms: {close}");
        return (close, clock.Elapsed);
    }

    /// <summary>Reads (and drops) what the server sends until its close frame: the close code (0 if none) and reason.</summary>
    public static async Task<(int Code, string Reason)> WaitForCloseAsync(this ClientWebSocket socket, TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, limit.Token);
            if (result.MessageType == WebSocketMessageType.Close) return ((int)(result.CloseStatus ?? 0), result.CloseStatusDescription ?? "");
        }
    }
}

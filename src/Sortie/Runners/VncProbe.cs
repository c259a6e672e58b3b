using System.Net.Sockets;
using Sortie.Rfb;

namespace Sortie.Runners;

/// <summary>Whether a session's VNC server is up: it takes a connection and greets with the RFB banner.</summary>
internal static class VncProbe
{
    /// <summary>A server that takes the connection but says nothing is not up, and must not hold the caller.</summary>
    private static readonly TimeSpan GreetingTimeout = TimeSpan.FromSeconds(5);

    /// <summary>True when <paramref name="connect"/> gives a stream on which an RFB banner arrives in time; false on any failure to.</summary>
    public static async Task<bool> AnswersAsync(Func<CancellationToken, Task<Stream>> connect, CancellationToken ct)
    {
        try
        {
            await using var stream = await connect(ct);
            var banner = new byte[RfbBanner.Length];
            using var read = CancellationTokenSource.CreateLinkedTokenSource(ct);
            read.CancelAfter(GreetingTimeout);
            await stream.ReadExactlyAsync(banner, read.Token);
            return RfbBanner.IsRfb(banner);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return false; }
        // EndOfStreamException is an IOException: the server closed before a whole banner.
        catch (Exception e) when (e is SocketException or IOException) { return false; }
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Sortie.Rfb;
using static Sortie.Rfb.RfbConstants;
using Sortie.Rfb.Testing;

namespace Sortie.Bench;

/// <summary>
/// A VNC server that does nothing but send pictures: RFB 3.8, security None, a 1920x1080 32 bpp ServerInit, then
/// for every FramebufferUpdateRequest one full-screen Raw update (8.3 MB), written as fast as the client reads.
/// </summary>
public sealed class SyntheticVnc : IDisposable
{
    public const int Width = 1920, Height = 1080;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly byte[] _update = BuildUpdate();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public SyntheticVnc()
    {
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(); }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { return; }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        client.NoDelay = true;
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(RfbBanner.Version38.ToBytes());
            await stream.ReadExactlyAsync(new byte[RfbBanner.Length]);
            await stream.WriteAsync(new byte[] { 1, SecurityType.None });
            await stream.ReadExactlyAsync(new byte[1]);
            await stream.WriteAsync(new byte[4]); // SecurityResult OK
            await stream.ReadExactlyAsync(new byte[1]); // ClientInit
            await stream.WriteAsync(ServerInit());

            var header = new byte[20];
            while (true)
            {
                await stream.ReadExactlyAsync(header.AsMemory(0, 1));
                switch (header[0])
                {
                    case ClientMessage.FramebufferUpdateRequest:
                        await stream.ReadExactlyAsync(header.AsMemory(1, 9));
                        await stream.WriteAsync(_update);
                        break;
                    case ClientMessage.SetPixelFormat: await stream.ReadExactlyAsync(header.AsMemory(1, 19)); break;
                    case ClientMessage.KeyEvent: await stream.ReadExactlyAsync(header.AsMemory(1, 7)); break;
                    case ClientMessage.PointerEvent: await stream.ReadExactlyAsync(header.AsMemory(1, 5)); break;
                    case ClientMessage.SetEncodings:
                        await stream.ReadExactlyAsync(header.AsMemory(1, 3));
                        await stream.ReadExactlyAsync(new byte[4 * BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2))]);
                        break;
                    case ClientMessage.ClientCutText:
                        await stream.ReadExactlyAsync(header.AsMemory(1, 7));
                        await stream.ReadExactlyAsync(new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4))]);
                        break;
                    default: return; // nothing else is expected from the bench's client
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or EndOfStreamException or ObjectDisposedException) { }
    }

    private static byte[] ServerInit()
    {
        var init = new byte[4 + PixelFormat.Size + 4 + 5];
        BinaryPrimitives.WriteUInt16BigEndian(init, Width);
        BinaryPrimitives.WriteUInt16BigEndian(init.AsSpan(2), Height);
        PixelFormat.Rgb888.Write(init.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(init.AsSpan(4 + PixelFormat.Size), 5);
        "bench"u8.CopyTo(init.AsSpan(8 + PixelFormat.Size));
        return init;
    }

    private static byte[] BuildUpdate()
    {
        var update = new byte[4 + 12 + Width * Height * 4];
        update[0] = ServerMessage.FramebufferUpdate;
        BinaryPrimitives.WriteUInt16BigEndian(update.AsSpan(2), 1);
        BinaryPrimitives.WriteUInt16BigEndian(update.AsSpan(8), Width);
        BinaryPrimitives.WriteUInt16BigEndian(update.AsSpan(10), Height);
        Random.Shared.NextBytes(update.AsSpan(16)); // what the pixels are does not matter to Raw
        return update;
    }

    public void Dispose() => _listener.Stop();
}

/// <summary>
/// The reading end of the throughput runs: a lean RFB viewer that keeps two full-screen requests in flight and
/// reads every update whole without decoding it (RfbClient decodes pixels, which would make it the bottleneck).
/// </summary>
public static class ThroughputClient
{
    /// <summary>Handshakes, warms up, then calls <paramref name="started"/> and counts bytes for <paramref name="duration"/>.</summary>
    public static async Task<(long Bytes, TimeSpan Elapsed)> RunAsync(Stream stream, TimeSpan duration, Func<Task> started)
    {
        var banner = new byte[RfbBanner.Length];
        await stream.ReadExactlyAsync(banner);
        await stream.WriteAsync(RfbBanner.Version38.ToBytes());
        var count = new byte[1];
        await stream.ReadExactlyAsync(count);
        await stream.ReadExactlyAsync(new byte[count[0]]);
        await stream.WriteAsync(new byte[] { SecurityType.None });
        await stream.ReadExactlyAsync(new byte[4]);
        await stream.WriteAsync(new byte[] { 1 });
        var init = new byte[4 + PixelFormat.Size + 4];
        await stream.ReadExactlyAsync(init);
        await stream.ReadExactlyAsync(new byte[BinaryPrimitives.ReadUInt32BigEndian(init.AsSpan(4 + PixelFormat.Size))]);
        var width = BinaryPrimitives.ReadUInt16BigEndian(init);
        var height = BinaryPrimitives.ReadUInt16BigEndian(init.AsSpan(2));

        var request = new byte[10];
        request[0] = ClientMessage.FramebufferUpdateRequest;
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(6), width);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(8), height);
        await stream.WriteAsync(request);
        await stream.WriteAsync(request);
        await stream.FlushAsync();

        var scratch = new byte[1024 * 1024];
        async Task<long> ReadUpdateAsync()
        {
            await stream.ReadExactlyAsync(scratch.AsMemory(0, 4));
            if (scratch[0] != ServerMessage.FramebufferUpdate) throw new InvalidDataException($"unexpected message {scratch[0]}");
            long total = 4;
            var rectangles = BinaryPrimitives.ReadUInt16BigEndian(scratch.AsSpan(2));
            for (var i = 0; i < rectangles; i++)
            {
                await stream.ReadExactlyAsync(scratch.AsMemory(0, 12));
                long left = (long)BinaryPrimitives.ReadUInt16BigEndian(scratch.AsSpan(4)) * BinaryPrimitives.ReadUInt16BigEndian(scratch.AsSpan(6)) * 4;
                total += 12 + left;
                while (left > 0)
                {
                    var read = await stream.ReadAsync(scratch.AsMemory(0, (int)Math.Min(left, scratch.Length)));
                    if (read == 0) throw new EndOfStreamException();
                    left -= read;
                }
            }
            await stream.WriteAsync(request);
            await stream.FlushAsync();
            return total;
        }

        for (var warm = System.Diagnostics.Stopwatch.StartNew(); warm.Elapsed < TimeSpan.FromMilliseconds(500);) await ReadUpdateAsync();
        await started();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long bytes = 0;
        while (clock.Elapsed < duration) bytes += await ReadUpdateAsync();
        return (bytes, clock.Elapsed);
    }
}

using System.Buffers.Binary;
using Sortie.Rfb;
using static Sortie.Rfb.RfbConstants;

namespace Sortie.Bench;

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

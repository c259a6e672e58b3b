using System.Buffers;
using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using static Sortie.Rfb.RfbConstants;

namespace Sortie.Rfb.Benchmarks;

/// <summary>
/// The gateway's per-byte work, one core: each operation pushes <see cref="StreamBytes"/> (4 MiB) of a realistic
/// stream through a filter in 64 KiB reads, as RfbRelay does. MiB/s = 4 / Mean in seconds (bench.sh computes it).
/// </summary>
[MemoryDiagnoser]
public class FilterBenchmarks
{
    public const int StreamBytes = 4 * 1024 * 1024;
    private const int Chunk = 64 * 1024;

    private byte[] _serverStream = [];
    private byte[] _clientStream = [];
    private readonly ArrayBufferWriter<byte> _output = new(Chunk + 1024);

    [GlobalSetup]
    public void Setup()
    {
        // Server → view-only viewer: Raw FramebufferUpdates of 256x256 at 32 bpp (one rectangle each), 4 MiB in all.
        var update = new byte[4 + 12 + 256 * 256 * 4];
        update[0] = ServerMessage.FramebufferUpdate;
        BinaryPrimitives.WriteUInt16BigEndian(update.AsSpan(2), 1);
        BinaryPrimitives.WriteUInt16BigEndian(update.AsSpan(8), 256);
        BinaryPrimitives.WriteUInt16BigEndian(update.AsSpan(10), 256);
        _serverStream = Repeat(update, StreamBytes);

        // Viewer → server: the input a busy full-access viewer sends (pointer moves, keys, update requests).
        var input = new List<byte>();
        for (var i = 0; i < 16; i++) input.AddRange(new byte[] { ClientMessage.PointerEvent, 0, 0, (byte)i, 0, (byte)i });
        input.AddRange(new byte[] { ClientMessage.KeyEvent, 1, 0, 0, 0, 0, 0, 0x61 });
        input.AddRange(new byte[] { ClientMessage.KeyEvent, 0, 0, 0, 0, 0, 0, 0x61 });
        input.AddRange(new byte[] { ClientMessage.FramebufferUpdateRequest, 1, 0, 0, 0, 0, 1, 0, 1, 0 });
        _clientStream = Repeat(input.ToArray(), StreamBytes);
    }

    [Benchmark(Description = "ServerStreamFilter (view-only, Raw updates)")]
    public long ServerFilter()
    {
        var state = new RfbStreamState();
        Handshake(new ClientStreamFilter(ViewerRights.ViewOnly, state), out var server, state);
        return Pump(_serverStream, (chunk, output) => server.Process(chunk, output));
    }

    [Benchmark(Description = "ClientStreamFilter (full access, input)")]
    public long ClientFilterFull()
    {
        var state = new RfbStreamState();
        var client = new ClientStreamFilter(ViewerRights.Full, state);
        Handshake(client, out _, state);
        return Pump(_clientStream, (chunk, output) => client.Process(chunk, output));
    }

    [Benchmark(Description = "ClientStreamFilter (view-only, input dropped)")]
    public long ClientFilterViewOnly()
    {
        var state = new RfbStreamState();
        var client = new ClientStreamFilter(ViewerRights.ViewOnly, state);
        Handshake(client, out _, state);
        return Pump(_clientStream, (chunk, output) => client.Process(chunk, output));
    }

    private delegate void Step(ReadOnlySpan<byte> chunk, IBufferWriter<byte> output);

    private long Pump(byte[] stream, Step step)
    {
        long written = 0;
        for (var offset = 0; offset < stream.Length; offset += Chunk)
        {
            _output.ResetWrittenCount();
            step(stream.AsSpan(offset, Math.Min(Chunk, stream.Length - offset)), _output);
            written += _output.WrittenCount;
        }
        return written;
    }

    /// <summary>Takes both filters through an RFB 3.8 handshake (security None, 32 bpp ServerInit, a first request).</summary>
    private static void Handshake(ClientStreamFilter client, out ServerStreamFilter server, RfbStreamState state)
    {
        var sink = new ArrayBufferWriter<byte>();
        server = new ServerStreamFilter(state);
        server.Process(RfbBanner.Version38.ToBytes(), sink);
        client.Process(RfbBanner.Version38.ToBytes(), sink);
        server.Process([1, SecurityType.None], sink);
        client.Process([SecurityType.None], sink);
        server.Process([0, 0, 0, 0], sink);
        client.Process([1], sink);
        var init = new byte[4 + PixelFormat.Size + 4 + 5];
        BinaryPrimitives.WriteUInt16BigEndian(init, 1920);
        BinaryPrimitives.WriteUInt16BigEndian(init.AsSpan(2), 1080);
        PixelFormat.Rgb888.Write(init.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(init.AsSpan(4 + PixelFormat.Size), 5);
        "bench"u8.CopyTo(init.AsSpan(8 + PixelFormat.Size));
        server.Process(init, sink);
        client.Process([ClientMessage.FramebufferUpdateRequest, 0, 0, 0, 0, 0, 7, 128, 4, 56], sink);
    }

    private static byte[] Repeat(byte[] unit, int length)
    {
        // Exactly length bytes; the last message may be cut short (the filter keeps it for a next read that never comes).
        var result = new byte[length];
        for (var offset = 0; offset < length; offset += unit.Length)
            unit.AsSpan(0, Math.Min(unit.Length, length - offset)).CopyTo(result.AsSpan(offset));
        return result;
    }
}

using System.Buffers;
using Sortie.Rfb.Tests.Support;

namespace Sortie.Rfb.Tests;

/// <summary>
/// The gateway filters a view-only viewer's stream in place: each read lands <see cref="ServerStreamFilter.MaxOutputBeyondInput"/>
/// bytes into a buffer, and the output starts <see cref="ServerStreamFilter.HeldBack"/> bytes before it. Whatever the stream and its chunking, that must give exactly what
/// filtering into a separate buffer gives (the filter never overwrites input it has yet to read).
/// </summary>
public sealed class InPlaceFilterTests
{
    [Fact]
    public void Random_streams_in_random_chunks_filter_in_place_exactly_as_out_of_place()
    {
        for (var seed = 0; seed < 2000; seed++)
        {
            var random = new Random(seed);
            var version = RandomSessions.Version(random);
            var stream = random.Next(10) == 0
                ? Mutations.Apply(RandomSessions.Server(random, version), random, random.Next(1, 4))
                : RandomSessions.Server(random, version);
            var chunks = random.Next(4) == 0 ? Chunks.OneByteAtATime(stream) : Chunks.Random(stream, random, maxLength: 700);
            Assert.True(Filter(version, chunks, inPlace: false).SequenceEqual(Filter(version, chunks, inPlace: true)), $"seed {seed}");
        }
    }

    /// <summary>The output, and where the filter refused the stream (its output up to there).</summary>
    private static byte[] Filter(RfbBanner version, byte[][] chunks, bool inPlace)
    {
        var connection = new FilteredConnection(ViewerRights.ViewOnly).FromViewer(ClientBytes.Handshake(version));
        var output = new List<byte>();
        var separate = new ArrayBufferWriter<byte>();
        foreach (var chunk in chunks)
        {
            try
            {
                if (inPlace)
                {
                    var frame = new byte[ServerStreamFilter.MaxOutputBeyondInput + chunk.Length];
                    Array.Fill(frame, (byte)0xAA);
                    chunk.CopyTo(frame, ServerStreamFilter.MaxOutputBeyondInput);
                    // As the gateway does: the output starts where the held-back header goes, so passed bytes stay put.
                    var start = ServerStreamFilter.MaxOutputBeyondInput - connection.Server.HeldBack;
                    var writer = new SameBufferWriter(frame, start);
                    connection.Server.Process(frame.AsSpan(ServerStreamFilter.MaxOutputBeyondInput), writer);
                    output.AddRange(frame[start..(start + writer.Written)]);
                }
                else
                {
                    separate.ResetWrittenCount();
                    connection.Server.Process(chunk, separate);
                    output.AddRange(separate.WrittenSpan.ToArray());
                }
            }
            catch (RfbProtocolException)
            {
                output.AddRange("|refused"u8.ToArray());
                break;
            }
        }
        return [.. output];
    }

    /// <summary>Writes from the start of the very buffer the input sits in, as the gateway's frame writer does.</summary>
    private sealed class SameBufferWriter(byte[] buffer, int start) : IBufferWriter<byte>
    {
        public int Written { get; private set; }
        public void Advance(int count) => Written += count;
        public Memory<byte> GetMemory(int sizeHint = 0) => buffer.AsMemory(start + Written);
        public Span<byte> GetSpan(int sizeHint = 0) => buffer.AsSpan(start + Written);
    }
}

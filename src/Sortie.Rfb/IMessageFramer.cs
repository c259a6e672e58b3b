using System.Buffers;

namespace Sortie.Rfb;

/// <summary>The protocol knowledge a <see cref="FrameReader"/> consults to cut its stream.</summary>
internal interface IMessageFramer
{
    /// <summary>
    /// How many bytes the header being collected needs, judged from the bytes it already holds (a
    /// length field can make it grow). Always at least 1, so every step consumes input.
    /// </summary>
    int RequiredHeaderLength(ReadOnlySpan<byte> header);

    /// <summary>
    /// Judges a complete header: forwards, drops or replaces it through the reader, and sets up the
    /// payload and the next state. Throws <see cref="RfbProtocolException"/> on bad input.
    /// </summary>
    void OnHeader(ReadOnlySpan<byte> header, IBufferWriter<byte> output);
}

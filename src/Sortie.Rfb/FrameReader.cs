using System.Buffers;

namespace Sortie.Rfb;

/// <summary>
/// Cuts a byte stream that arrives in arbitrary chunks into the pieces a filter decides on: headers,
/// collected whole (they are small) and handed to an <see cref="IMessageFramer"/>, and payloads,
/// which pass through (or are skipped) as slices of the input without ever being buffered.
/// </summary>
/// <remarks>
/// A header is only written once it is complete and judged, so any chunking of the input produces
/// the same output. After a failure the stream is out of step for good, so the reader refuses more.
/// </remarks>
internal sealed class FrameReader(int headerCapacity, FilterCounters counters)
{
    private readonly byte[] _header = new byte[headerCapacity];
    private int _headerLength;
    private long _payloadRemaining;
    private bool _forwardPayload;
    private bool _failed;

    /// <summary>Bytes of an unfinished header kept from earlier input: written before anything of the next input.</summary>
    public int HeldBack => _headerLength;

    public void Process(ReadOnlySpan<byte> input, IBufferWriter<byte> output, IMessageFramer framer)
    {
        if (_failed)
            throw new InvalidOperationException("This filter already rejected its stream; the connection must be closed.");
        try
        {
            Run(input, output, framer);
        }
        catch
        {
            _failed = true;
            throw;
        }
    }

    /// <summary>Writes the current header unchanged.</summary>
    public void Forward(IBufferWriter<byte> output)
    {
        output.Write(_header.AsSpan(0, _headerLength));
        counters.AddForwardedBytes(_headerLength);
        _headerLength = 0;
    }

    /// <summary>Discards the current header.</summary>
    public void Drop()
    {
        counters.AddDroppedBytes(_headerLength);
        _headerLength = 0;
    }

    /// <summary>Writes <paramref name="replacement"/> instead of the current header.</summary>
    public void Replace(ReadOnlySpan<byte> replacement, IBufferWriter<byte> output)
    {
        output.Write(replacement);
        counters.AddForwardedBytes(replacement.Length);
        counters.AddDroppedBytes(Math.Max(0, _headerLength - replacement.Length));
        _headerLength = 0;
    }

    /// <summary>Makes the next <paramref name="length"/> bytes pass through (or vanish) untouched.</summary>
    public void StartPayload(long length, bool forward)
    {
        _payloadRemaining = length;
        _forwardPayload = forward;
    }

    private void Run(ReadOnlySpan<byte> input, IBufferWriter<byte> output, IMessageFramer framer)
    {
        while (true)
        {
            if (_payloadRemaining > 0)
            {
                PassPayload(ref input, output);
                if (_payloadRemaining > 0) return;
            }
            // Asking about the next header only once its bytes exist lets the framer depend on facts
            // (such as the viewer's answer) that arrive in the meantime.
            if (input.IsEmpty) return;

            int required;
            while ((required = framer.RequiredHeaderLength(_header.AsSpan(0, _headerLength))) > _headerLength)
            {
                if (!FillHeader(required, ref input)) return;
            }

            framer.OnHeader(_header.AsSpan(0, _headerLength), output);
            if (_headerLength != 0)
                throw new InvalidOperationException($"{framer.GetType().Name} neither forwarded nor dropped a header.");
        }
    }

    private bool FillHeader(int length, ref ReadOnlySpan<byte> input)
    {
        if (length > _header.Length)
            throw new InvalidOperationException($"A {length}-byte header exceeds the {_header.Length} bytes set aside.");
        var take = Math.Min(length - _headerLength, input.Length);
        input[..take].CopyTo(_header.AsSpan(_headerLength));
        _headerLength += take;
        input = input[take..];
        return _headerLength == length;
    }

    private void PassPayload(ref ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        var take = (int)Math.Min(_payloadRemaining, input.Length);
        if (_forwardPayload)
        {
            output.Write(input[..take]);
            counters.AddForwardedBytes(take);
        }
        else
        {
            counters.AddDroppedBytes(take);
        }
        _payloadRemaining -= take;
        input = input[take..];
    }
}

namespace Sortie.Rfb.Testing;

/// <summary>
/// A read-only stream of the bytes appended to it so far, for a decompressor that lives longer than
/// any one message: ZRLE's zlib stream runs across all the rectangles of a connection, but each
/// rectangle brings only its own part. A read never waits; with nothing left it returns 0.
/// </summary>
internal sealed class FeedStream : Stream
{
    private byte[] _buffer = [];
    private int _start;
    private int _end;

    /// <summary>Bytes appended but not yet read.</summary>
    public int Unread => _end - _start;

    /// <summary>Adds <paramref name="bytes"/> after what is still unread (a decompressor may not have taken all of the last part).</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        var unread = Unread;
        var buffer = unread + bytes.Length <= _buffer.Length ? _buffer : new byte[Math.Max(unread + bytes.Length, 2 * _buffer.Length)];
        _buffer.AsSpan(_start, unread).CopyTo(buffer); // overlapping copies are safe with spans
        bytes.CopyTo(buffer.AsSpan(unread));
        _buffer = buffer;
        _start = 0;
        _end = unread + bytes.Length;
    }

    public override int Read(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, Unread);
        _buffer.AsSpan(_start, count).CopyTo(buffer);
        _start += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

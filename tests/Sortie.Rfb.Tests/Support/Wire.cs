using System.Buffers.Binary;
using System.Text;

namespace Sortie.Rfb.Tests.Support;

/// <summary>Builds big-endian byte sequences by hand, the way they appear on the wire.</summary>
public sealed class Wire
{
    private readonly List<byte> _bytes = [];

    public int Length => _bytes.Count;

    public Wire U8(int value)
    {
        _bytes.Add((byte)value);
        return this;
    }

    public Wire U16(int value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)value);
        return Bytes(bytes);
    }

    public Wire U32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return Bytes(bytes);
    }

    public Wire S32(int value) => U32(unchecked((uint)value));

    public Wire Pad(int count) => Bytes(new byte[count]);

    public Wire Bytes(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes) _bytes.Add(b);
        return this;
    }

    public Wire Ascii(string text) => Bytes(Encoding.ASCII.GetBytes(text));

    /// <summary><paramref name="count"/> bytes counting up from <paramref name="first"/>, so misplaced bytes show.</summary>
    public Wire Filler(long count, byte first = 0)
    {
        for (long i = 0; i < count; i++) _bytes.Add((byte)(first + i));
        return this;
    }

    public Wire Format(PixelFormat format)
    {
        var bytes = new byte[PixelFormat.Size];
        format.Write(bytes);
        return Bytes(bytes);
    }

    public byte[] ToArray() => [.. _bytes];

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(part => part)];
}

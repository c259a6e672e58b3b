using System.IO.Compression;

namespace Sortie.Rfb.Tests.Support;

/// <summary>
/// The server's side of ZRLE, for hand-built tiles: every rectangle's tile data goes through one zlib
/// stream, flushed at the end of the rectangle as TigerVNC does, so later rectangles may refer back
/// to earlier ones.
/// </summary>
public sealed class ZrleStream : IDisposable
{
    private readonly MemoryStream _compressed = new();
    private readonly ZLibStream _deflater;

    public ZrleStream() => _deflater = new ZLibStream(_compressed, CompressionLevel.Optimal, leaveOpen: true);

    /// <summary>A ZRLE rectangle: its header, then the u32 length and the zlib bytes of <paramref name="tiles"/>.</summary>
    public byte[] Rectangle(int width, int height, byte[] tiles, int x = 0, int y = 0) => Framed(width, height, Compress(tiles), x, y);

    /// <summary>The zlib bytes of <paramref name="tiles"/>, flushed (a sync flush: all of it can be inflated, and the stream goes on).</summary>
    public byte[] Compress(byte[] tiles)
    {
        _deflater.Write(tiles);
        _deflater.Flush();
        var data = _compressed.ToArray();
        _compressed.SetLength(0);
        return data;
    }

    /// <summary>A ZRLE rectangle carrying <paramref name="data"/> as its zlib bytes.</summary>
    public static byte[] Framed(int width, int height, byte[] data, int x = 0, int y = 0) =>
        ServerBytes.Rectangle(width, height, Encodings.Zrle, x, y).U32((uint)data.Length).Bytes(data).ToArray();

    /// <summary>A 3-byte CPIXEL of <see cref="PixelFormat.Rgb888"/>: red, green, blue.</summary>
    public static byte[] CPixel(uint rgb) => [(byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb];

    public void Dispose()
    {
        _deflater.Dispose();
        _compressed.Dispose();
    }
}

using System.IO.Compression;

namespace Sortie.Rfb.Testing;

/// <summary>
/// Decodes ZRLE rectangles (RFC 6143 §7.7.6) into a <see cref="Framebuffer"/>. One decoder serves a
/// whole connection: the server compresses every ZRLE rectangle with the same zlib stream, so the
/// inflater and its window must outlive each rectangle.
/// </summary>
/// <remarks>
/// The decompressed data is read exactly as far as the tiles need, never ahead: past the end of a
/// rectangle there is nothing yet to inflate (the next rectangle's bytes have not arrived), and a
/// read there would only see the feed run dry.
/// </remarks>
internal sealed class ZrleDecoder : IDisposable
{
    private const int TileSize = 64;
    private const int MaxPaletteSize = 127;

    private readonly FeedStream _compressed = new();
    private readonly ZLibStream _inflater;
    private readonly uint[] _tile = new uint[TileSize * TileSize];
    private readonly uint[] _palette = new uint[MaxPaletteSize];
    private readonly byte[] _bytes = new byte[TileSize * TileSize * 4];
    private readonly int[] _tilesBySubencoding = new int[256];

    private PixelFormat _format;
    private int _cpixelSize;
    private int _cpixelOffset;

    public ZrleDecoder() => _inflater = new ZLibStream(_compressed, CompressionMode.Decompress);

    /// <summary>Rectangles decoded.</summary>
    public int Rectangles { get; private set; }

    /// <summary>Tiles decoded so far, by subencoding (only those that occurred).</summary>
    public IReadOnlyDictionary<int, int> TilesBySubencoding =>
        Enumerable.Range(0, 256).Where(s => _tilesBySubencoding[s] > 0).ToDictionary(s => s, s => _tilesBySubencoding[s]);

    /// <summary>
    /// Inflates <paramref name="compressed"/>, one rectangle's zlib data, and draws its tiles at
    /// (<paramref name="x"/>, <paramref name="y"/>); the caller has checked the rectangle fits.
    /// </summary>
    public void Decode(ReadOnlySpan<byte> compressed, PixelFormat format, Framebuffer framebuffer, int x, int y, int width, int height)
    {
        _compressed.Append(compressed);
        UseFormat(format);
        // Tiles go left to right, then top to bottom; those on the right and bottom edges are smaller.
        for (var tileY = 0; tileY < height; tileY += TileSize)
        {
            var tileHeight = Math.Min(TileSize, height - tileY);
            for (var tileX = 0; tileX < width; tileX += TileSize)
            {
                var tileWidth = Math.Min(TileSize, width - tileX);
                DecodeTile(tileWidth, tileHeight);
                for (var row = 0; row < tileHeight; row++)
                    _tile.AsSpan(row * tileWidth, tileWidth).CopyTo(framebuffer.Row(x + tileX, y + tileY + row, tileWidth));
            }
        }
        Rectangles++;
    }

    public void Dispose() => _inflater.Dispose();

    /// <summary>
    /// Sizes CPIXELs: 3 bytes when a true-colour pixel of 32 bits and depth 24 or less keeps its colour
    /// in its 3 low or 3 high bytes, else whole pixels. Which 3 bytes leaves ambiguous only for colours
    /// fitting both; like TigerVNC, the first byte in memory order is dropped if it is always zero.
    /// </summary>
    private void UseFormat(PixelFormat format)
    {
        _format = format;
        _cpixelSize = format.BytesPerPixel;
        _cpixelOffset = 0;
        if (!format.TrueColour || format.BitsPerPixel != 32 || format.Depth > 24) return;

        var colourBits = (ulong)format.RedMax << format.RedShift | (ulong)format.GreenMax << format.GreenShift | (ulong)format.BlueMax << format.BlueShift;
        var fitsLow = (colourBits & ~0x00FF_FFFFUL) == 0;
        var fitsHigh = (colourBits & ~0xFFFF_FF00UL) == 0;
        if (!fitsLow && !fitsHigh) return;
        _cpixelSize = 3;
        // The least significant byte comes first in little-endian memory, the most significant in big-endian.
        _cpixelOffset = (format.BigEndian ? fitsLow : fitsHigh) ? 1 : 0;
    }

    private void DecodeTile(int width, int height)
    {
        var pixels = _tile.AsSpan(0, width * height);
        var subencoding = ReadByte();
        switch (subencoding)
        {
            case 0:
                ReadPixels(pixels);
                break;
            case 1:
                pixels.Fill(ReadPixel());
                break;
            case <= 16:
                ReadPackedPalette(pixels, width, height, ReadPalette(subencoding));
                break;
            case 128:
                ReadPlainRle(pixels);
                break;
            case >= 130:
                ReadPaletteRle(pixels, ReadPalette(subencoding - 128));
                break;
            default:
                throw new RfbProtocolException($"ZRLE tile subencoding {subencoding} is undefined (17 to 127 and 129 are unused)");
        }
        _tilesBySubencoding[subencoding]++;
    }

    /// <summary>Indices of 1, 2 or 4 bits, packed from the high bits down; each row starts on a new byte.</summary>
    private void ReadPackedPalette(Span<uint> pixels, int width, int height, ReadOnlySpan<uint> palette)
    {
        var bits = palette.Length switch { 2 => 1, <= 4 => 2, _ => 4 };
        var mask = (1 << bits) - 1;
        var rowBytes = (width * bits + 7) / 8;
        var packed = _bytes.AsSpan(0, rowBytes * height);
        Read(packed);
        for (var row = 0; row < height; row++)
        {
            for (var column = 0; column < width; column++)
            {
                var bit = column * bits;
                var index = packed[row * rowBytes + bit / 8] >> (8 - bits - bit % 8) & mask;
                pixels[row * width + column] = PaletteColour(palette, index);
            }
        }
    }

    /// <summary>Runs of a CPIXEL and a length.</summary>
    private void ReadPlainRle(Span<uint> pixels)
    {
        for (var i = 0; i < pixels.Length;)
        {
            var colour = ReadPixel();
            var run = ReadRunLength(pixels.Length - i);
            pixels.Slice(i, run).Fill(colour);
            i += run;
        }
    }

    /// <summary>Palette indices; one with its top bit set starts a run and a length follows.</summary>
    private void ReadPaletteRle(Span<uint> pixels, ReadOnlySpan<uint> palette)
    {
        for (var i = 0; i < pixels.Length;)
        {
            var index = ReadByte();
            var colour = PaletteColour(palette, index & 0x7F);
            var run = (index & 0x80) == 0 ? 1 : ReadRunLength(pixels.Length - i);
            pixels.Slice(i, run).Fill(colour);
            i += run;
        }
    }

    /// <summary>A run is 1 plus the sum of its length bytes; every byte but the last is 255.</summary>
    private int ReadRunLength(int remaining)
    {
        var length = 1;
        byte next;
        do
        {
            next = ReadByte();
            length += next;
            if (length > remaining) throw new RfbProtocolException($"a ZRLE run goes past the end of its tile ({remaining} pixels were left)");
        }
        while (next == 255);
        return length;
    }

    private ReadOnlySpan<uint> ReadPalette(int size)
    {
        var palette = _palette.AsSpan(0, size);
        ReadPixels(palette);
        return palette;
    }

    private static uint PaletteColour(ReadOnlySpan<uint> palette, int index) =>
        index < palette.Length ? palette[index]
            : throw new RfbProtocolException($"ZRLE palette index {index} is outside the tile's palette of {palette.Length} colours");

    private void ReadPixels(Span<uint> destination)
    {
        var bytes = _bytes.AsSpan(0, destination.Length * _cpixelSize);
        Read(bytes);
        for (var i = 0; i < destination.Length; i++) destination[i] = Colour(bytes.Slice(i * _cpixelSize, _cpixelSize));
    }

    private uint ReadPixel()
    {
        Span<byte> cpixel = stackalloc byte[4];
        Read(cpixel[.._cpixelSize]);
        return Colour(cpixel[.._cpixelSize]);
    }

    /// <summary>A CPIXEL's colour, read as Raw reads the whole pixel it stands for.</summary>
    private uint Colour(ReadOnlySpan<byte> cpixel)
    {
        if (cpixel.Length == _format.BytesPerPixel) return _format.ReadRgb(cpixel);
        Span<byte> pixel = stackalloc byte[4];
        pixel.Clear();
        cpixel.CopyTo(pixel[_cpixelOffset..]);
        return _format.ReadRgb(pixel);
    }

    private byte ReadByte()
    {
        Span<byte> value = stackalloc byte[1];
        Read(value);
        return value[0];
    }

    private void Read(Span<byte> destination)
    {
        try
        {
            _inflater.ReadExactly(destination);
        }
        catch (EndOfStreamException)
        {
            throw new RfbProtocolException("a ZRLE rectangle's zlib data ended before its tiles did");
        }
        catch (InvalidDataException e)
        {
            throw new RfbProtocolException($"ZRLE data is not valid zlib data: {e.Message}");
        }
    }
}

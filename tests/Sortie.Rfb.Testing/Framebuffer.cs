namespace Sortie.Rfb.Testing;

/// <summary>
/// The remote desktop as <see cref="RfbClient"/> decoded it: one <c>0x00RRGGBB</c> value per pixel,
/// with the summaries tests compare (a checksum, the number of colours).
/// </summary>
public sealed class Framebuffer
{
    private uint[] _pixels;

    public Framebuffer(int width, int height)
    {
        Width = width;
        Height = height;
        _pixels = new uint[width * height];
    }

    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>The colour at (<paramref name="x"/>, <paramref name="y"/>) as <c>0x00RRGGBB</c>.</summary>
    public uint this[int x, int y]
    {
        get => _pixels[Index(x, y)];
        set => _pixels[Index(x, y)] = value;
    }

    /// <summary>A 64-bit FNV-1a hash of the pixels of the whole picture.</summary>
    public ulong Checksum() => Checksum(0, 0, Width, Height);

    /// <summary>A 64-bit FNV-1a hash of the pixels of one region, row by row.</summary>
    public ulong Checksum(int x, int y, int width, int height)
    {
        CheckRegion(x, y, width, height);
        var hash = 14695981039346656037UL;
        for (var row = y; row < y + height; row++)
        {
            foreach (var pixel in _pixels.AsSpan(row * Width + x, width))
            {
                hash = (hash ^ pixel) * 1099511628211UL;
            }
        }
        return hash;
    }

    /// <summary>How many different colours the whole picture has.</summary>
    public int CountDistinctColours() => CountDistinctColours(0, 0, Width, Height);

    /// <summary>How many different colours one region has.</summary>
    public int CountDistinctColours(int x, int y, int width, int height)
    {
        CheckRegion(x, y, width, height);
        var colours = new HashSet<uint>();
        for (var row = y; row < y + height; row++)
        {
            foreach (var pixel in _pixels.AsSpan(row * Width + x, width)) colours.Add(pixel);
        }
        return colours.Count;
    }

    /// <summary>Copies a region within the picture, as CopyRect asks; the regions may overlap.</summary>
    public void Copy(int sourceX, int sourceY, int x, int y, int width, int height)
    {
        CheckRegion(sourceX, sourceY, width, height);
        CheckRegion(x, y, width, height);
        var region = new uint[width * height];
        for (var row = 0; row < height; row++)
            _pixels.AsSpan((sourceY + row) * Width + sourceX, width).CopyTo(region.AsSpan(row * width));
        for (var row = 0; row < height; row++)
            region.AsSpan(row * width, width).CopyTo(_pixels.AsSpan((y + row) * Width + x));
    }

    /// <summary>Starts a new, black picture of another size, as a desktop resize does.</summary>
    public void Resize(int width, int height)
    {
        Width = width;
        Height = height;
        _pixels = new uint[width * height];
    }

    /// <summary>Whether the region lies inside the picture.</summary>
    public bool Contains(int x, int y, int width, int height) =>
        x >= 0 && y >= 0 && width >= 0 && height >= 0 && x + width <= Width && y + height <= Height;

    /// <summary>One row of a region, for decoders to write into.</summary>
    internal Span<uint> Row(int x, int y, int width)
    {
        CheckRegion(x, y, width, 1);
        return _pixels.AsSpan(y * Width + x, width);
    }

    private void CheckRegion(int x, int y, int width, int height)
    {
        if (!Contains(x, y, width, height))
            throw new ArgumentOutOfRangeException(nameof(x), $"Region {width}x{height} at ({x}, {y}) is outside the {Width}x{Height} framebuffer.");
    }

    private int Index(int x, int y)
    {
        CheckRegion(x, y, 1, 1);
        return y * Width + x;
    }
}

using System.Buffers.Binary;

namespace Sortie.Rfb;

/// <summary>
/// The 16-byte PIXEL_FORMAT structure of ServerInit and SetPixelFormat. Framing the server's stream
/// depends on it (Raw and cursor sizes, Tight's compact pixels), so both directions share it.
/// </summary>
public readonly record struct PixelFormat(
    byte BitsPerPixel,
    byte Depth,
    bool BigEndian,
    bool TrueColour,
    ushort RedMax,
    ushort GreenMax,
    ushort BlueMax,
    byte RedShift,
    byte GreenShift,
    byte BlueShift)
{
    /// <summary>Bytes the structure takes on the wire, its three padding bytes included.</summary>
    public const int Size = 16;

    /// <summary>32 bits per pixel, depth 24, little-endian, red in the low byte: what noVNC asks for.</summary>
    public static readonly PixelFormat Rgb888 = new(32, 24, false, true, 255, 255, 255, 0, 8, 16);

    /// <summary>Bytes one pixel takes in Raw data.</summary>
    public int BytesPerPixel => BitsPerPixel / 8;

    /// <summary>
    /// Whether Tight sends pixels as three bytes (its TPIXEL): true colour, 32 bits per pixel, depth
    /// 24 and 8 bits per channel.
    /// </summary>
    public bool HasCompactTightPixels =>
        TrueColour && BitsPerPixel == 32 && Depth == 24 && RedMax == 255 && GreenMax == 255 && BlueMax == 255;

    /// <summary>Bytes one Tight pixel (TPIXEL) takes.</summary>
    public int TightPixelSize => HasCompactTightPixels ? 3 : BytesPerPixel;

    /// <summary>Reads the structure from its 16 wire bytes.</summary>
    public static PixelFormat Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Size)
            throw new ArgumentException($"A pixel format takes {Size} bytes; got {bytes.Length}.", nameof(bytes));
        return new PixelFormat(
            BitsPerPixel: bytes[0],
            Depth: bytes[1],
            BigEndian: bytes[2] != 0,
            TrueColour: bytes[3] != 0,
            RedMax: BinaryPrimitives.ReadUInt16BigEndian(bytes[4..]),
            GreenMax: BinaryPrimitives.ReadUInt16BigEndian(bytes[6..]),
            BlueMax: BinaryPrimitives.ReadUInt16BigEndian(bytes[8..]),
            RedShift: bytes[10],
            GreenShift: bytes[11],
            BlueShift: bytes[12]);
    }

    /// <summary>Writes the 16 wire bytes, padding zeroed.</summary>
    public void Write(Span<byte> destination)
    {
        if (destination.Length < Size)
            throw new ArgumentException($"A pixel format takes {Size} bytes; got room for {destination.Length}.", nameof(destination));
        destination[0] = BitsPerPixel;
        destination[1] = Depth;
        destination[2] = BigEndian ? (byte)1 : (byte)0;
        destination[3] = TrueColour ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], RedMax);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], GreenMax);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], BlueMax);
        destination[10] = RedShift;
        destination[11] = GreenShift;
        destination[12] = BlueShift;
        destination[13..Size].Clear();
    }

    /// <summary>
    /// The colour of one pixel of Raw data as <c>0x00RRGGBB</c>, each channel scaled to 8 bits. For
    /// colour-map formats it is the colour-map index.
    /// </summary>
    public uint ReadRgb(ReadOnlySpan<byte> pixel)
    {
        uint value = BytesPerPixel switch
        {
            1 => pixel[0],
            2 => BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(pixel) : BinaryPrimitives.ReadUInt16LittleEndian(pixel),
            _ => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(pixel) : BinaryPrimitives.ReadUInt32LittleEndian(pixel),
        };
        if (!TrueColour) return value;
        return Channel(value, RedShift, RedMax) << 16 | Channel(value, GreenShift, GreenMax) << 8 | Channel(value, BlueShift, BlueMax);
    }

    private static uint Channel(uint value, byte shift, ushort max) =>
        max == 0 ? 0 : (value >> shift & max) * 255 / max;

    /// <summary>
    /// Throws <see cref="RfbProtocolException"/> unless the format is one a server can honour and
    /// every party sizes pixels the same way.
    /// </summary>
    public void Validate()
    {
        if (BitsPerPixel is not (8 or 16 or 32))
            throw Invalid($"{BitsPerPixel} bits per pixel (must be 8, 16 or 32)");
        if (Depth == 0 || Depth > BitsPerPixel)
            throw Invalid($"depth {Depth} with {BitsPerPixel} bits per pixel");
        if (!TrueColour) return;

        ValidateChannel("red", RedMax, RedShift);
        ValidateChannel("green", GreenMax, GreenShift);
        ValidateChannel("blue", BlueMax, BlueShift);
        // Tight's rule for 3-byte pixels says nothing about shifts, but TigerVNC also requires whole
        // bytes; refusing the difference keeps the framer and the server in agreement.
        if (HasCompactTightPixels && (RedShift % 8 != 0 || GreenShift % 8 != 0 || BlueShift % 8 != 0))
            throw Invalid($"8-bit channels at shifts {RedShift}/{GreenShift}/{BlueShift}, which are not whole bytes");
    }

    private void ValidateChannel(string name, ushort max, byte shift)
    {
        if (max == 0 || (max & (max + 1)) != 0)
            throw Invalid($"{name} maximum {max} (must be 2^n - 1)");
        var bits = 16 - ushort.LeadingZeroCount(max);
        if (shift + bits > BitsPerPixel)
            throw Invalid($"{name} channel at shift {shift} does not fit in {BitsPerPixel} bits");
    }

    private RfbProtocolException Invalid(string problem) => new($"invalid pixel format: {problem}");
}

namespace Sortie.Rfb.Tests.Support;

/// <summary>Hand-built messages a server sends, laid out as RFC 6143 and the extensions describe them.</summary>
public static class ServerBytes
{
    public static byte[] Greeting => RfbBanner.Version38.ToBytes();

    /// <summary>ServerInit for a 320x240 desktop called "test".</summary>
    public static byte[] ServerInit(PixelFormat format, string name = "test") =>
        new Wire().U16(320).U16(240).Format(format).U32((uint)name.Length).Ascii(name).ToArray();

    /// <summary>Everything up to and including ServerInit, for a viewer that answered with <paramref name="version"/>.</summary>
    public static byte[] Handshake(RfbBanner version, PixelFormat format)
    {
        var wire = new Wire().Bytes(Greeting);
        if (version == RfbBanner.Version33) wire.U32(SecurityType.None);
        else wire.U8(1).U8(SecurityType.None);
        if (version == RfbBanner.Version38) wire.U32(SecurityResult.Ok);
        return wire.Bytes(ServerInit(format)).ToArray();
    }

    public static byte[] Handshake38 => Handshake(RfbBanner.Version38, PixelFormat.Rgb888);

    /// <summary>A FramebufferUpdate that counts its rectangles.</summary>
    public static byte[] Update(params byte[][] rectangles) =>
        new Wire().U8(ServerMessage.FramebufferUpdate).Pad(1).U16(rectangles.Length).Bytes(Wire.Concat(rectangles)).ToArray();

    /// <summary>A FramebufferUpdate that announces 0xFFFF rectangles and ends with LastRect, as TigerVNC does.</summary>
    public static byte[] UncountedUpdate(params byte[][] rectangles) =>
        new Wire().U8(ServerMessage.FramebufferUpdate).Pad(1).U16(0xFFFF)
            .Bytes(Wire.Concat(rectangles)).Bytes(Rectangle(0, 0, Encodings.LastRect).ToArray()).ToArray();

    public static Wire Rectangle(int width, int height, int encoding, int x = 0, int y = 0) =>
        new Wire().U16(x).U16(y).U16(width).U16(height).S32(encoding);

    public static byte[] Raw(int width, int height, PixelFormat format) =>
        Rectangle(width, height, Encodings.Raw).Filler((long)width * height * format.BytesPerPixel, 1).ToArray();

    public static byte[] CopyRect(int width = 16, int height = 16) =>
        Rectangle(width, height, Encodings.CopyRect, x: 32).U16(0).U16(0).ToArray();

    public static byte[] Zrle(int dataLength = 300) =>
        Rectangle(64, 64, Encodings.Zrle).U32((uint)dataLength).Filler(dataLength, 0x78).ToArray();

    public static byte[] TightFill(PixelFormat format) =>
        Rectangle(64, 64, Encodings.Tight).U8(0x80).Filler(format.TightPixelSize, 0xAA).ToArray();

    public static byte[] TightJpeg(int dataLength = 200) =>
        CompactLength(Rectangle(64, 64, Encodings.Tight).U8(0x90), dataLength).Filler(dataLength, 0xFF).ToArray();

    /// <summary>Basic compression with no filter byte (copy), zlib stream 1 and a reset of stream 0.</summary>
    public static byte[] TightCopy(int width, int height, int compressedLength = 0)
    {
        var wire = Rectangle(width, height, Encodings.Tight).U8(0x11);
        return TightData(wire, (long)width * height * 3, compressedLength).ToArray();
    }

    /// <summary>Basic compression naming its filter explicitly.</summary>
    public static byte[] TightFiltered(int width, int height, byte filter, int compressedLength = 0)
    {
        var wire = Rectangle(width, height, Encodings.Tight).U8(0x40 | 0x20).U8(filter);
        return TightData(wire, (long)width * height * 3, compressedLength).ToArray();
    }

    /// <summary>The palette filter: colour count, the colours, then 1-bit rows for 2 colours or 1 byte per pixel.</summary>
    public static byte[] TightPalette(int width, int height, int colours, int compressedLength = 0)
    {
        var wire = Rectangle(width, height, Encodings.Tight).U8(0x40).U8(1).U8(colours - 1).Filler(colours * 3, 0x30);
        var dataLength = (long)(colours == 2 ? (width + 7) / 8 : width) * height;
        return TightData(wire, dataLength, compressedLength).ToArray();
    }

    /// <summary>Tight data: raw when shorter than 12 bytes, else a compact length and that many zlib bytes.</summary>
    private static Wire TightData(Wire wire, long uncompressedLength, int compressedLength) =>
        uncompressedLength < 12
            ? wire.Filler(uncompressedLength, 0xD0)
            : CompactLength(wire, compressedLength).Filler(compressedLength, 0xD0);

    /// <summary>Tight's 1-to-3-byte length.</summary>
    public static Wire CompactLength(Wire wire, int length)
    {
        if (length < 0x80) return wire.U8(length);
        if (length < 0x4000) return wire.U8(length & 0x7F | 0x80).U8(length >> 7);
        return wire.U8(length & 0x7F | 0x80).U8(length >> 7 & 0x7F | 0x80).U8(length >> 14);
    }

    public static byte[] Cursor(int width, int height, PixelFormat format) =>
        Rectangle(width, height, Encodings.Cursor, x: 3, y: 4)
            .Filler((long)width * height * format.BytesPerPixel, 0x11).Filler((width + 7) / 8 * height, 0xEE).ToArray();

    public static byte[] VMwareCursor(int width, int height, byte type, PixelFormat format)
    {
        var length = type == 0 ? 2L * width * height * format.BytesPerPixel : 4L * width * height;
        return Rectangle(width, height, Encodings.VMwareCursor).U8(type).Pad(1).Filler(length, 0x22).ToArray();
    }

    public static byte[] DesktopName(string name) =>
        Rectangle(0, 0, Encodings.DesktopName).U32((uint)name.Length).Ascii(name).ToArray();

    public static byte[] DesktopSize(int width = 640, int height = 480) =>
        Rectangle(width, height, Encodings.DesktopSize).ToArray();

    public static byte[] ExtendedDesktopSize(int screens = 2)
    {
        var wire = Rectangle(640, 480, Encodings.ExtendedDesktopSize, x: 1).U8(screens).Pad(3);
        for (var i = 0; i < screens; i++) wire.U32((uint)i).U16(0).U16(0).U16(640).U16(480).U32(0);
        return wire.ToArray();
    }

    public static byte[] ServerCutText(string text) =>
        new Wire().U8(ServerMessage.ServerCutText).Pad(3).U32((uint)text.Length).Ascii(text).ToArray();

    public static byte[] ExtendedServerCutText(int payloadLength = 12) =>
        new Wire().U8(ServerMessage.ServerCutText).Pad(3).S32(-payloadLength).Filler(payloadLength, 0xC0).ToArray();

    public static byte[] Bell => [ServerMessage.Bell];

    public static byte[] EndOfContinuousUpdates => [ServerMessage.EndOfContinuousUpdates];

    public static byte[] SetColourMapEntries(int count = 3) =>
        new Wire().U8(ServerMessage.SetColourMapEntries).Pad(1).U16(0).U16(count).Filler(6 * count, 0x40).ToArray();

    public static byte[] Fence(uint flags = 0x8000_0002, int payloadLength = 3) =>
        new Wire().U8(ServerMessage.Fence).Pad(3).U32(flags).U8(payloadLength).Filler(payloadLength, 0xF0).ToArray();

    public static byte[] Xvp(byte code = 1) =>
        new Wire().U8(ServerMessage.Xvp).Pad(1).U8(1).U8(code).ToArray();
}

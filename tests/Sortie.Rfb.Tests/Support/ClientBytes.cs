namespace Sortie.Rfb.Tests.Support;

/// <summary>Hand-built messages a viewer sends, laid out as RFC 6143 and the extensions describe them.</summary>
public static class ClientBytes
{
    /// <summary>The SetEncodings list noVNC 1.7 sends with full colour, H.264 and local cursor on.</summary>
    public static readonly int[] NoVncEncodings =
    [
        Encodings.CopyRect, Encodings.H264, Encodings.Tight, Encodings.TightPng, Encodings.Zrle, Encodings.Jpeg,
        Encodings.Hextile, Encodings.Rre, Encodings.Zlib, Encodings.Raw,
        Encodings.JpegQualityLevel0 + 6, Encodings.CompressLevel0 + 2,
        Encodings.DesktopSize, Encodings.LastRect, Encodings.QemuExtendedKeyEvent, Encodings.QemuLedState,
        Encodings.ExtendedDesktopSize, Encodings.Xvp, Encodings.Fence, Encodings.ContinuousUpdates,
        Encodings.DesktopName, Encodings.ExtendedClipboard, Encodings.ExtendedMouseButtons,
        Encodings.VMwareCursor, Encodings.Cursor,
    ];

    /// <summary>Greeting, security None (absent in 3.3) and ClientInit with <paramref name="shared"/>.</summary>
    public static byte[] Handshake(RfbBanner version, byte shared = 1)
    {
        var wire = new Wire().Bytes(version.ToBytes());
        if (version != RfbBanner.Version33) wire.U8(SecurityType.None);
        return wire.U8(shared).ToArray();
    }

    public static byte[] Handshake38 => Handshake(RfbBanner.Version38);

    public static byte[] SetPixelFormat(PixelFormat format) =>
        new Wire().U8(ClientMessage.SetPixelFormat).Pad(3).Format(format).ToArray();

    public static byte[] SetEncodings(params int[] encodings)
    {
        var wire = new Wire().U8(ClientMessage.SetEncodings).Pad(1).U16(encodings.Length);
        foreach (var encoding in encodings) wire.S32(encoding);
        return wire.ToArray();
    }

    public static byte[] UpdateRequest(bool incremental = false) =>
        new Wire().U8(ClientMessage.FramebufferUpdateRequest).U8(incremental ? 1 : 0).U16(0).U16(0).U16(320).U16(240).ToArray();

    public static byte[] KeyEvent(uint keysym = 0x61, bool down = true) =>
        new Wire().U8(ClientMessage.KeyEvent).U8(down ? 1 : 0).Pad(2).U32(keysym).ToArray();

    public static byte[] PointerEvent(int x = 10, int y = 20, byte buttons = 1) =>
        new Wire().U8(ClientMessage.PointerEvent).U8(buttons).U16(x).U16(y).ToArray();

    public static byte[] ClientCutText(string text) =>
        new Wire().U8(ClientMessage.ClientCutText).Pad(3).U32((uint)text.Length).Ascii(text).ToArray();

    /// <summary>An extended-clipboard message: the length is negative and the payload is flags plus data.</summary>
    public static byte[] ExtendedClipboard(int payloadLength = 8) =>
        new Wire().U8(ClientMessage.ClientCutText).Pad(3).S32(-payloadLength).Filler(payloadLength, 0xC0).ToArray();

    public static byte[] EnableContinuousUpdates(bool enable = true) =>
        new Wire().U8(ClientMessage.EnableContinuousUpdates).U8(enable ? 1 : 0).U16(0).U16(0).U16(320).U16(240).ToArray();

    public static byte[] Fence(uint flags = 0x8000_0003, int payloadLength = 4) =>
        new Wire().U8(ClientMessage.Fence).Pad(3).U32(flags).U8(payloadLength).Filler(payloadLength, 0xF0).ToArray();

    public static byte[] Xvp(byte operation = 2) =>
        new Wire().U8(ClientMessage.Xvp).Pad(1).U8(1).U8(operation).ToArray();

    public static byte[] SetDesktopSize(int width = 640, int height = 480, int screens = 1)
    {
        var wire = new Wire().U8(ClientMessage.SetDesktopSize).Pad(1).U16(width).U16(height).U8(screens).Pad(1);
        for (var i = 0; i < screens; i++) wire.U32((uint)i).U16(0).U16(0).U16(width).U16(height).U32(0);
        return wire.ToArray();
    }

    public static byte[] QemuExtendedKeyEvent(uint keysym = 0x61, uint keycode = 30) =>
        new Wire().U8(ClientMessage.Qemu).U8(QemuClientMessage.ExtendedKeyEvent).U16(1).U32(keysym).U32(keycode).ToArray();

    public static byte[] QemuAudio(ushort operation) =>
        new Wire().U8(ClientMessage.Qemu).U8(QemuClientMessage.Audio).U16(operation).ToArray();

    public static byte[] QemuAudioSetFormat() =>
        new Wire().U8(ClientMessage.Qemu).U8(QemuClientMessage.Audio).U16(QemuAudioOperation.SetFormat).U8(3).U8(2).U32(44100).ToArray();

    /// <summary>What noVNC sends right after ServerInit: its pixel format, encodings, and a full update request.</summary>
    public static byte[] NoVncStart => Wire.Concat(SetPixelFormat(PixelFormat.Rgb888), SetEncodings(NoVncEncodings), UpdateRequest());

    /// <summary>A whole session with every client message type in it, in a plausible order.</summary>
    public static byte[] EveryMessage => Wire.Concat(
        Handshake38,
        NoVncStart,
        EnableContinuousUpdates(),
        Fence(),
        KeyEvent(),
        KeyEvent(down: false),
        PointerEvent(),
        ClientCutText("hello"),
        ExtendedClipboard(),
        SetDesktopSize(screens: 2),
        Xvp(),
        QemuExtendedKeyEvent(),
        QemuAudio(QemuAudioOperation.Enable),
        QemuAudioSetFormat(),
        QemuAudio(QemuAudioOperation.Disable),
        UpdateRequest(incremental: true));
}

namespace Sortie.Rfb;

/// <summary>
/// The numbers of the RFB protocol (RFC 6143 and the community extensions noVNC and TigerVNC use),
/// named once so that the filters, the client and the tests all speak the same vocabulary.
/// </summary>
public static class RfbConstants
{
    /// <summary>Message types a viewer sends to the server.</summary>
    public static class ClientMessage
    {
        public const byte SetPixelFormat = 0;
        public const byte SetEncodings = 2;
        public const byte FramebufferUpdateRequest = 3;
        public const byte KeyEvent = 4;
        public const byte PointerEvent = 5;
        public const byte ClientCutText = 6;
        public const byte EnableContinuousUpdates = 150;
        public const byte Fence = 248;
        public const byte Xvp = 250;
        public const byte SetDesktopSize = 251;
        public const byte Qemu = 255;
    }

    /// <summary>Subtypes of the QEMU client message (type 255).</summary>
    public static class QemuClientMessage
    {
        public const byte ExtendedKeyEvent = 0;
        public const byte Audio = 1;
    }

    /// <summary>Operations of the QEMU audio client message; only SetFormat carries more bytes.</summary>
    public static class QemuAudioOperation
    {
        public const ushort Enable = 0;
        public const ushort Disable = 1;
        public const ushort SetFormat = 2;
    }

    /// <summary>Message types the server sends to a viewer.</summary>
    public static class ServerMessage
    {
        public const byte FramebufferUpdate = 0;
        public const byte SetColourMapEntries = 1;
        public const byte Bell = 2;
        public const byte ServerCutText = 3;
        public const byte EndOfContinuousUpdates = 150;
        public const byte Fence = 248;
        public const byte Xvp = 250;
    }

    /// <summary>Security types offered during the handshake.</summary>
    public static class SecurityType
    {
        public const byte Invalid = 0;
        public const byte None = 1;
        public const byte VncAuthentication = 2;
    }

    /// <summary>Values of the SecurityResult word.</summary>
    public static class SecurityResult
    {
        public const uint Ok = 0;
        public const uint Failed = 1;
    }

    /// <summary>Encodings and pseudo-encodings, as the signed 32-bit numbers SetEncodings carries.</summary>
    public static class Encodings
    {
        public const int Raw = 0;
        public const int CopyRect = 1;
        public const int Rre = 2;
        public const int Hextile = 5;
        public const int Zlib = 6;
        public const int Tight = 7;
        public const int Trle = 15;
        public const int Zrle = 16;
        public const int Jpeg = 21;
        public const int H264 = 50;
        public const int TightPng = -260;

        public const int JpegQualityLevel0 = -32;
        public const int JpegQualityLevel9 = -23;
        public const int CompressLevel0 = -256;
        public const int CompressLevel9 = -247;

        public const int DesktopSize = -223;
        public const int LastRect = -224;
        public const int Cursor = -239;
        public const int XCursor = -240;
        public const int QemuExtendedKeyEvent = -258;
        public const int QemuAudio = -259;
        public const int QemuLedState = -261;
        public const int DesktopName = -307;
        public const int ExtendedDesktopSize = -308;
        public const int Xvp = -309;
        public const int Fence = -312;
        public const int ContinuousUpdates = -313;
        public const int CursorWithAlpha = -314;
        public const int ExtendedMouseButtons = -316;
        public const int ExtendedClipboard = unchecked((int)0xC0A1E5CE);
        public const int VMwareCursor = 0x574D5664;
    }
}

using System.Buffers;
using System.Buffers.Binary;
using static Sortie.Rfb.RfbConstants;

namespace Sortie.Rfb;

/// <summary>
/// Frames what the server sends to one view-only viewer and passes it on byte for byte, except the
/// clipboard (ServerCutText, plain or extended) and XVP power-control announcements, which are
/// removed. Full-access viewers get the server's stream verbatim and need no such filter.
/// </summary>
/// <remarks>
/// Only headers are parsed; pixel data streams through as slices of the input. Rectangle sizes
/// depend on the pixel format, which <see cref="RfbStreamState"/> carries from ServerInit or the
/// viewer's SetPixelFormat. The viewer's SetEncodings was cut down by the
/// <see cref="ClientStreamFilter"/> to <see cref="EncodingPolicy.FramedRectangleEncodings"/>, so
/// any other rectangle encoding means the stream cannot be trusted and ends the connection.
/// </remarks>
public sealed class ServerStreamFilter : IMessageFramer
{
    private const int RectangleHeaderLength = 12;
    private const int ServerInitHeaderLength = 4 + PixelFormat.Size + 4;
    private const int FenceHeaderLength = 9;
    private const int TightMinimumCompressedLength = 12;
    private const int ScreenLength = 16;

    /// <summary>The longest header: a security type list of 255 entries (a fence takes at most 73).</summary>
    private const int MaxHeaderLength = 1 + 255;

    /// <summary>
    /// The most that <see cref="Process"/> writes beyond what it was given: the part of a header held back from the last
    /// call. Every other output byte is an input byte passed on, in order, so the filter can work in place: in one buffer,
    /// output that starts this many bytes before the input never overwrites input not yet read (the gateway does this).
    /// </summary>
    public const int MaxOutputBeyondInput = MaxHeaderLength;

    /// <summary>
    /// The part of a header held back from the last call (at most <see cref="MaxOutputBeyondInput"/>): output that starts
    /// this many bytes before the input, in place, lands on the input itself, so the bytes passed on are not moved at all.
    /// </summary>
    public int HeldBack => _reader.HeldBack;

    /// <summary>What the header being collected is.</summary>
    private enum Expect
    {
        ProtocolVersion,
        Security,
        SecurityResult,
        ServerInit,
        Message,
        Rectangle,
        ZrleLength,
        TightControl,
        TightCompactLength,
        VMwareCursorType,
        DesktopNameLength,
        ExtendedDesktopSizeScreens,
        EndOfStream,
    }

    private readonly RfbStreamState _state;
    private readonly FrameReader _reader;
    private Expect _expect = Expect.ProtocolVersion;
    private PixelFormat _updateFormat;
    private int _rectanglesLeft;
    private ushort _width;
    private ushort _height;

    public ServerStreamFilter(RfbStreamState state)
    {
        _state = state;
        _reader = new FrameReader(MaxHeaderLength, Counters);
    }

    /// <summary>Messages forwarded and dropped, by server message type.</summary>
    public FilterCounters Counters { get; } = new();

    /// <summary>
    /// Consumes bytes the server sent, in chunks of any size, and writes what the viewer may receive.
    /// Incomplete headers are kept for the next call.
    /// </summary>
    public void Process(ReadOnlySpan<byte> fromServer, IBufferWriter<byte> toViewer) =>
        _reader.Process(fromServer, toViewer, this);

    int IMessageFramer.RequiredHeaderLength(ReadOnlySpan<byte> header) => _expect switch
    {
        Expect.ProtocolVersion => RfbBanner.Length,
        Expect.Security => SecurityLength(header),
        Expect.SecurityResult => SecurityResultLength(header),
        Expect.ServerInit => ServerInitHeaderLength,
        Expect.Message => MessageHeaderLength(header),
        Expect.Rectangle => RectangleHeaderLength,
        Expect.ZrleLength or Expect.DesktopNameLength or Expect.ExtendedDesktopSizeScreens => 4,
        Expect.TightControl => TightControlLength(header),
        Expect.TightCompactLength => CompactLengthSize(header),
        Expect.VMwareCursorType => 2,
        Expect.EndOfStream => throw new RfbProtocolException("the server sent data after refusing the connection"),
        _ => throw new InvalidOperationException($"No header length for {_expect}."),
    };

    void IMessageFramer.OnHeader(ReadOnlySpan<byte> header, IBufferWriter<byte> output)
    {
        switch (_expect)
        {
            case Expect.ProtocolVersion:
                RfbBanner.Parse(header);
                // What follows is laid out by the version the viewer answers with. The server waits
                // for that answer, and the client filter records it before passing it on.
                Forward(output, Expect.Security);
                break;
            case Expect.Security when ViewerVersion() == RfbBanner.Version33:
                OnSecurityType(header, output);
                break;
            case Expect.Security:
                OnSecurityTypeList(header, output);
                break;
            case Expect.SecurityResult:
                var failed = ReadUInt32(header) != SecurityResult.Ok;
                Forward(output, failed ? Expect.EndOfStream : Expect.ServerInit);
                if (failed && header.Length == 8) _reader.StartPayload(ReadUInt32(header[4..]), forward: true);
                break;
            case Expect.ServerInit:
                var format = PixelFormat.Read(header[4..]);
                format.Validate();
                _state.SetServerPixelFormat(format);
                _state.SetDesktopSize(BinaryPrimitives.ReadUInt16BigEndian(header), BinaryPrimitives.ReadUInt16BigEndian(header[2..]));
                Forward(output, Expect.Message);
                _reader.StartPayload(ReadUInt32(header[(4 + PixelFormat.Size)..]), forward: true);
                break;
            case Expect.Message:
                OnMessage(header, output);
                break;
            case Expect.Rectangle:
                OnRectangle(header, output);
                break;
            case Expect.ZrleLength:
            case Expect.DesktopNameLength:
                FinishRectangle(output, ReadUInt32(header));
                break;
            case Expect.ExtendedDesktopSizeScreens:
                FinishRectangle(output, (long)ScreenLength * header[0]);
                break;
            case Expect.TightControl:
                OnTightControl(header, output);
                break;
            case Expect.TightCompactLength:
                FinishRectangle(output, CompactLength(header));
                break;
            case Expect.VMwareCursorType:
                FinishRectangle(output, header[0] switch
                {
                    0 => 2L * _width * _height * _updateFormat.BytesPerPixel, // AND and XOR masks
                    1 => 4L * _width * _height, // RGBA
                    var type => throw new RfbProtocolException($"unknown VMware cursor type {type}"),
                });
                break;
            default:
                throw new InvalidOperationException($"No handling for {_expect}.");
        }
    }

    /// <summary>
    /// 3.3: the security type the server chose, 4 bytes. 3.7 and later: the count and the types
    /// offered. Either way a refusal (type 0, or no types) is followed by a reason's 4-byte length.
    /// </summary>
    private int SecurityLength(ReadOnlySpan<byte> header)
    {
        if (ViewerVersion() == RfbBanner.Version33)
            return header.Length < 4 || ReadUInt32(header) != SecurityType.Invalid ? 4 : 8;
        if (header.IsEmpty) return 1;
        return header[0] == 0 ? 1 + 4 : 1 + header[0];
    }

    /// <summary>The 4-byte result; only 3.8 follows a failure with a reason's length.</summary>
    private int SecurityResultLength(ReadOnlySpan<byte> header)
    {
        if (header.Length < 4 || ReadUInt32(header) == SecurityResult.Ok) return 4;
        return ViewerVersion() == RfbBanner.Version38 ? 8 : 4;
    }

    private void OnSecurityType(ReadOnlySpan<byte> header, IBufferWriter<byte> output)
    {
        switch (ReadUInt32(header))
        {
            case SecurityType.Invalid:
                Forward(output, Expect.EndOfStream);
                _reader.StartPayload(ReadUInt32(header[4..]), forward: true);
                break;
            case SecurityType.None:
                Forward(output, Expect.ServerInit);
                break;
            case var type:
                throw new RfbProtocolException($"the server chose security type {type}; only None (1) is supported");
        }
    }

    private void OnSecurityTypeList(ReadOnlySpan<byte> header, IBufferWriter<byte> output)
    {
        if (header[0] == 0)
        {
            Forward(output, Expect.EndOfStream);
            _reader.StartPayload(ReadUInt32(header[1..]), forward: true);
            return;
        }
        // The client filter lets the viewer choose only None, which in 3.7 has no SecurityResult.
        Forward(output, ViewerVersion() == RfbBanner.Version38 ? Expect.SecurityResult : Expect.ServerInit);
    }

    private static int MessageHeaderLength(ReadOnlySpan<byte> header)
    {
        if (header.IsEmpty) return 1;
        return header[0] switch
        {
            ServerMessage.FramebufferUpdate => 4,
            ServerMessage.SetColourMapEntries => 6,
            ServerMessage.Bell => 1,
            ServerMessage.ServerCutText => 8,
            ServerMessage.EndOfContinuousUpdates => 1,
            ServerMessage.Fence => header.Length < FenceHeaderLength ? FenceHeaderLength : FenceHeaderLength + FenceLength(header),
            ServerMessage.Xvp => 4,
            var type => throw new RfbProtocolException($"unknown server message type {type}"),
        };
    }

    private static int FenceLength(ReadOnlySpan<byte> header)
    {
        var length = header[8];
        if (length > ClientStreamFilter.MaxFenceLength)
            throw new RfbProtocolException($"fence payload of {length} bytes; at most {ClientStreamFilter.MaxFenceLength} are allowed");
        return length;
    }

    private void OnMessage(ReadOnlySpan<byte> header, IBufferWriter<byte> output)
    {
        var type = header[0];
        switch (type)
        {
            case ServerMessage.FramebufferUpdate:
                _updateFormat = _state.PixelFormat
                    ?? throw new RfbProtocolException("framebuffer update before any pixel format was known");
                _rectanglesLeft = BinaryPrimitives.ReadUInt16BigEndian(header[2..]);
                ForwardMessage(type, output, NextRectangleOrMessage());
                break;
            case ServerMessage.SetColourMapEntries:
                ForwardMessage(type, output, Expect.Message);
                _reader.StartPayload(6L * BinaryPrimitives.ReadUInt16BigEndian(header[4..]), forward: true);
                break;
            case ServerMessage.ServerCutText:
                // The clipboard is the session's data, not its picture: view-only viewers never see it.
                _reader.Drop();
                Counters.CountDropped(type);
                _reader.StartPayload(Math.Abs((long)BinaryPrimitives.ReadInt32BigEndian(header[4..])), forward: false);
                break;
            case ServerMessage.Xvp:
                // Power-control announcements invite commands a view-only viewer may not send.
                _reader.Drop();
                Counters.CountDropped(type);
                break;
            default:
                // Bell, EndOfContinuousUpdates, Fence: complete in their header.
                ForwardMessage(type, output, Expect.Message);
                break;
        }
    }

    private void OnRectangle(ReadOnlySpan<byte> header, IBufferWriter<byte> output)
    {
        _width = BinaryPrimitives.ReadUInt16BigEndian(header[4..]);
        _height = BinaryPrimitives.ReadUInt16BigEndian(header[6..]);
        var encoding = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
        var pixels = (long)_width * _height;
        _rectanglesLeft--;

        switch (encoding)
        {
            case Encodings.Raw:
                FinishRectangle(output, pixels * _updateFormat.BytesPerPixel);
                break;
            case Encodings.CopyRect:
                FinishRectangle(output, 4); // source x, y
                break;
            case Encodings.Zrle:
                Forward(output, Expect.ZrleLength);
                break;
            case Encodings.Tight:
                Forward(output, Expect.TightControl);
                break;
            case Encodings.DesktopSize:
                _state.SetDesktopSize(_width, _height);
                FinishRectangle(output, 0);
                break;
            case Encodings.LastRect:
                // Servers that do not count their rectangles announce 0xFFFF and end with this one.
                _rectanglesLeft = 0;
                FinishRectangle(output, 0);
                break;
            case Encodings.Cursor:
                FinishRectangle(output, pixels * _updateFormat.BytesPerPixel + (_width + 7) / 8 * _height);
                break;
            case Encodings.VMwareCursor:
                Forward(output, Expect.VMwareCursorType);
                break;
            case Encodings.DesktopName:
                Forward(output, Expect.DesktopNameLength);
                break;
            case Encodings.ExtendedDesktopSize:
                _state.SetDesktopSize(_width, _height); // an answer that refused a change still carries the size in force
                Forward(output, Expect.ExtendedDesktopSizeScreens);
                break;
            default:
                throw new RfbProtocolException($"rectangle encoding {encoding} cannot be framed for a view-only viewer");
        }
        Counters.CountRectangle(encoding);
    }

    /// <summary>
    /// Tight's control byte, plus the filter id when the control byte announces one, plus the
    /// palette size when that filter is the palette.
    /// </summary>
    private static int TightControlLength(ReadOnlySpan<byte> header)
    {
        if (header.IsEmpty || !HasExplicitFilter(header[0])) return 1;
        if (header.Length < 2 || header[1] != TightFilter.Palette) return 2;
        return 3;
    }

    private static bool HasExplicitFilter(byte control) => (control & 0x80) == 0 && (control & 0x40) != 0;

    private void OnTightControl(ReadOnlySpan<byte> header, IBufferWriter<byte> output)
    {
        var control = header[0];
        var pixelSize = _updateFormat.TightPixelSize;
        switch (control >> 4)
        {
            case TightCompression.Fill:
                FinishRectangle(output, pixelSize);
                return;
            case TightCompression.Jpeg:
                Forward(output, Expect.TightCompactLength);
                return;
            case >= TightCompression.Png:
                // PNG belongs to TightPNG, which view-only viewers cannot request.
                throw new RfbProtocolException($"invalid Tight compression control 0x{control:X2}");
        }

        // Basic compression: pixel data through an optional filter, zlib-compressed unless tiny.
        var filter = HasExplicitFilter(control) ? header[1] : TightFilter.Copy;
        long palette = 0, dataLength;
        switch (filter)
        {
            case TightFilter.Copy:
            case TightFilter.Gradient:
                dataLength = (long)_width * _height * pixelSize;
                break;
            case TightFilter.Palette:
                var colours = header[2] + 1;
                palette = (long)colours * pixelSize;
                var rowLength = colours == 2 ? (_width + 7) / 8 : _width;
                dataLength = (long)rowLength * _height;
                break;
            default:
                throw new RfbProtocolException($"unknown Tight filter {filter}");
        }

        if (dataLength < TightMinimumCompressedLength)
        {
            FinishRectangle(output, palette + dataLength);
        }
        else
        {
            Forward(output, Expect.TightCompactLength);
            _reader.StartPayload(palette, forward: true);
        }
    }

    /// <summary>Tight's compact length takes 1 to 3 bytes: 7 bits per byte, the top bit meaning "more".</summary>
    private static int CompactLengthSize(ReadOnlySpan<byte> header)
    {
        if (header.IsEmpty || header[0] < 0x80) return 1;
        if (header.Length < 2 || header[1] < 0x80) return 2;
        return 3;
    }

    /// <summary>Tight's compact length: low bits first, all 8 bits of a third byte.</summary>
    private static long CompactLength(ReadOnlySpan<byte> bytes)
    {
        long length = bytes[0] & 0x7F;
        if (bytes.Length > 1) length |= (long)(bytes[1] & 0x7F) << 7;
        if (bytes.Length > 2) length |= (long)bytes[2] << 14;
        return length;
    }

    private Expect NextRectangleOrMessage() => _rectanglesLeft > 0 ? Expect.Rectangle : Expect.Message;

    /// <summary>
    /// Forwards a rectangle's last header, lets its <paramref name="payloadLength"/> bytes of data
    /// follow, and expects what comes after the rectangle.
    /// </summary>
    private void FinishRectangle(IBufferWriter<byte> output, long payloadLength)
    {
        Forward(output, NextRectangleOrMessage());
        _reader.StartPayload(payloadLength, forward: true);
    }

    private void ForwardMessage(byte type, IBufferWriter<byte> output, Expect next)
    {
        Forward(output, next);
        Counters.CountForwarded(type);
    }

    private void Forward(IBufferWriter<byte> output, Expect next)
    {
        _reader.Forward(output);
        _expect = next;
    }

    private RfbBanner ViewerVersion() => _state.ViewerVersion
        ?? throw new RfbProtocolException("the server sent its security handshake before the viewer chose a protocol version");

    private static uint ReadUInt32(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadUInt32BigEndian(bytes);

    private static class TightCompression
    {
        public const int Fill = 0x8;
        public const int Jpeg = 0x9;
        public const int Png = 0xA;
    }

    private static class TightFilter
    {
        public const byte Copy = 0;
        public const byte Palette = 1;
        public const byte Gradient = 2;
    }
}

using System.Buffers;
using System.Buffers.Binary;
using static Sortie.Rfb.RfbConstants;

namespace Sortie.Rfb;

/// <summary>
/// Frames what one viewer sends and passes on only what its rights allow: the handshake (with the
/// shared flag forced on, so one viewer cannot evict the others), the messages that shape the
/// picture it receives, and for full-access viewers their input. Anything malformed or unknown
/// ends the connection with an <see cref="RfbProtocolException"/>.
/// </summary>
/// <remarks>
/// Messages are judged whole: the filter collects every header (at most a few kilobytes) before
/// writing it, and streams only clipboard payloads. View-only viewers lose every message that could
/// change the session or reach its clipboard; their SetEncodings is cut down to what the
/// <see cref="ServerStreamFilter"/> can frame (see <see cref="EncodingPolicy"/>).
/// </remarks>
public sealed class ClientStreamFilter : IMessageFramer
{
    /// <summary>The longest encoding list accepted; noVNC sends about 25.</summary>
    public const int MaxEncodings = 1024;

    /// <summary>The longest fence payload the extension allows.</summary>
    public const int MaxFenceLength = 64;

    private const int SetEncodingsHeaderLength = 4;
    private const int FenceHeaderLength = 9;
    private const int SetDesktopSizeHeaderLength = 8;
    private const int ScreenLength = 16;

    private enum Phase { ProtocolVersion, SecuritySelection, ClientInit, Messages }

    private readonly ViewerRights _rights;
    private readonly RfbStreamState _state;
    private readonly ClientFilterOptions _options;
    private readonly FrameReader _reader;
    private Phase _phase = Phase.ProtocolVersion;

    public ClientStreamFilter(ViewerRights rights, RfbStreamState state, ClientFilterOptions? options = null)
    {
        _rights = rights;
        _state = state;
        _options = options ?? new ClientFilterOptions();
        _reader = new FrameReader(SetEncodingsHeaderLength + 4 * MaxEncodings, Counters);
    }

    /// <summary>Messages forwarded and dropped, by client message type.</summary>
    public FilterCounters Counters { get; } = new();

    /// <summary>Told of every input message passed on (a recorded session's attribution); null: nobody listens.</summary>
    public IInputObserver? Input { get; init; }

    /// <summary>
    /// Consumes bytes the viewer sent, in chunks of any size, and writes what the server may receive.
    /// Incomplete messages are kept for the next call.
    /// </summary>
    public void Process(ReadOnlySpan<byte> fromViewer, IBufferWriter<byte> toServer) =>
        _reader.Process(fromViewer, toServer, this);

    int IMessageFramer.RequiredHeaderLength(ReadOnlySpan<byte> header) => _phase switch
    {
        Phase.ProtocolVersion => RfbBanner.Length,
        Phase.SecuritySelection or Phase.ClientInit => 1,
        _ => MessageLength(header),
    };

    void IMessageFramer.OnHeader(ReadOnlySpan<byte> header, IBufferWriter<byte> output)
    {
        switch (_phase)
        {
            case Phase.ProtocolVersion:
                var version = RfbBanner.Parse(header);
                if (!version.IsStandard)
                    throw new RfbProtocolException($"unsupported protocol version {version}; only 3.3, 3.7 and 3.8 are accepted");
                _state.SetViewerVersion(version);
                _reader.Forward(output);
                // In 3.3 the server dictates the security type, so the viewer sends no selection.
                _phase = version == RfbBanner.Version33 ? Phase.ClientInit : Phase.SecuritySelection;
                break;
            case Phase.SecuritySelection:
                if (header[0] != SecurityType.None)
                    throw new RfbProtocolException($"security type {header[0]} is not accepted; the gateway only allows None (1)");
                _reader.Forward(output);
                _phase = Phase.ClientInit;
                break;
            case Phase.ClientInit:
                // A viewer asking for exclusive access would disconnect everyone else.
                _reader.Replace([1], output);
                _phase = Phase.Messages;
                break;
            default:
                OnMessage(header, output);
                break;
        }
    }

    /// <summary>The length of the message whose first bytes are <paramref name="header"/>, all but clipboard text.</summary>
    private static int MessageLength(ReadOnlySpan<byte> header)
    {
        if (header.IsEmpty) return 1;
        return header[0] switch
        {
            ClientMessage.SetPixelFormat => 4 + PixelFormat.Size,
            ClientMessage.SetEncodings => header.Length < SetEncodingsHeaderLength
                ? SetEncodingsHeaderLength
                : SetEncodingsHeaderLength + 4 * EncodingCount(header),
            ClientMessage.FramebufferUpdateRequest => 10,
            ClientMessage.KeyEvent => 8,
            ClientMessage.PointerEvent => 6,
            ClientMessage.ClientCutText => 8,
            ClientMessage.EnableContinuousUpdates => 10,
            ClientMessage.Fence => header.Length < FenceHeaderLength
                ? FenceHeaderLength
                : FenceHeaderLength + FenceLength(header),
            ClientMessage.Xvp => 4,
            ClientMessage.SetDesktopSize => header.Length < SetDesktopSizeHeaderLength
                ? SetDesktopSizeHeaderLength
                : SetDesktopSizeHeaderLength + ScreenLength * header[6],
            ClientMessage.Qemu => QemuMessageLength(header),
            var type => throw new RfbProtocolException($"unknown client message type {type}"),
        };
    }

    private static int EncodingCount(ReadOnlySpan<byte> header)
    {
        var count = BinaryPrimitives.ReadUInt16BigEndian(header[2..]);
        if (count > MaxEncodings)
            throw new RfbProtocolException($"SetEncodings lists {count} encodings; at most {MaxEncodings} are accepted");
        return count;
    }

    private static int FenceLength(ReadOnlySpan<byte> header)
    {
        var length = header[8];
        if (length > MaxFenceLength)
            throw new RfbProtocolException($"fence payload of {length} bytes; at most {MaxFenceLength} are allowed");
        return length;
    }

    private static int QemuMessageLength(ReadOnlySpan<byte> header)
    {
        if (header.Length < 2) return 2;
        switch (header[1])
        {
            case QemuClientMessage.ExtendedKeyEvent:
                return 12;
            case QemuClientMessage.Audio:
                if (header.Length < 4) return 4;
                return BinaryPrimitives.ReadUInt16BigEndian(header[2..]) switch
                {
                    QemuAudioOperation.Enable or QemuAudioOperation.Disable => 4,
                    QemuAudioOperation.SetFormat => 10,
                    var operation => throw new RfbProtocolException($"unknown QEMU audio operation {operation}"),
                };
            default:
                throw new RfbProtocolException($"unknown QEMU client message subtype {header[1]}");
        }
    }

    private void OnMessage(ReadOnlySpan<byte> header, IBufferWriter<byte> output)
    {
        var type = header[0];
        switch (type)
        {
            case ClientMessage.SetPixelFormat:
                OnSetPixelFormat(header);
                Forward(type, output);
                break;
            case ClientMessage.SetEncodings:
                ForwardEncodings(header, output);
                break;
            case ClientMessage.FramebufferUpdateRequest:
            case ClientMessage.EnableContinuousUpdates:
                _state.MarkUpdateRequested();
                Forward(type, output);
                break;
            case ClientMessage.Fence:
                Forward(type, output);
                break;
            case ClientMessage.ClientCutText:
                var length = ClipboardLength(header);
                ForwardIf(_rights != ViewerRights.ViewOnly, type, output);
                _reader.StartPayload(length, forward: _rights != ViewerRights.ViewOnly);
                if (_rights != ViewerRights.ViewOnly) Input?.Clipboard(length);
                break;
            case ClientMessage.SetDesktopSize:
            case ClientMessage.Xvp:
                // The desktop's size and power are the owner's.
                ForwardIf(_rights == ViewerRights.Full, type, output);
                break;
            default:
                // Keys, pointer and the QEMU input and audio messages.
                ForwardIf(_rights != ViewerRights.ViewOnly, type, output);
                if (_rights != ViewerRights.ViewOnly && Input is { } input) Report(header, input);
                break;
        }
    }

    /// <summary>Tells the observer of an input message that was passed on.</summary>
    private static void Report(ReadOnlySpan<byte> message, IInputObserver input)
    {
        switch (message[0])
        {
            case ClientMessage.KeyEvent:
                input.Key(message[1] != 0, BinaryPrimitives.ReadUInt32BigEndian(message[4..]));
                break;
            case ClientMessage.PointerEvent:
                input.Pointer(message[1], BinaryPrimitives.ReadUInt16BigEndian(message[2..]), BinaryPrimitives.ReadUInt16BigEndian(message[4..]));
                break;
            case ClientMessage.Qemu when message[1] == QemuClientMessage.ExtendedKeyEvent:
                input.Key(BinaryPrimitives.ReadUInt16BigEndian(message[2..]) != 0, BinaryPrimitives.ReadUInt32BigEndian(message[4..]));
                break;
        }
    }

    private void OnSetPixelFormat(ReadOnlySpan<byte> header)
    {
        var format = PixelFormat.Read(header[4..]);
        format.Validate();
        // Updates already requested would arrive in the old format, and the server filter could not
        // tell where the old format ends. Full-access streams are not framed, so only they may switch.
        if (_rights == ViewerRights.ViewOnly && _state.UpdateRequested)
            throw new RfbProtocolException("pixel format changes after the first update request are not supported for view-only viewers");
        _state.SetViewerPixelFormat(format);
    }

    private void ForwardEncodings(ReadOnlySpan<byte> header, IBufferWriter<byte> output)
    {
        var requested = new int[(header.Length - SetEncodingsHeaderLength) / 4];
        for (var i = 0; i < requested.Length; i++)
            requested[i] = BinaryPrimitives.ReadInt32BigEndian(header[(SetEncodingsHeaderLength + 4 * i)..]);
        var allowed = EncodingPolicy.Filter(_rights, requested);
        _state.SetViewerFollowsResize(allowed.Contains(RfbConstants.Encodings.DesktopSize) || allowed.Contains(RfbConstants.Encodings.ExtendedDesktopSize));

        Span<byte> message = new byte[SetEncodingsHeaderLength + 4 * allowed.Count];
        message[0] = ClientMessage.SetEncodings;
        BinaryPrimitives.WriteUInt16BigEndian(message[2..], (ushort)allowed.Count);
        for (var i = 0; i < allowed.Count; i++)
            BinaryPrimitives.WriteInt32BigEndian(message[(SetEncodingsHeaderLength + 4 * i)..], allowed[i]);
        _reader.Replace(message, output);
        Counters.CountForwarded(ClientMessage.SetEncodings);
    }

    /// <summary>The clipboard text's length; negative on the wire means extended-clipboard data.</summary>
    private long ClipboardLength(ReadOnlySpan<byte> header)
    {
        long length = Math.Abs((long)BinaryPrimitives.ReadInt32BigEndian(header[4..]));
        if (length > _options.MaxClipboardBytes)
            throw new RfbProtocolException($"clipboard of {length} bytes; at most {_options.MaxClipboardBytes} are accepted");
        return length;
    }

    private void ForwardIf(bool allowed, byte type, IBufferWriter<byte> output)
    {
        if (allowed)
        {
            Forward(type, output);
        }
        else
        {
            _reader.Drop();
            Counters.CountDropped(type);
        }
    }

    private void Forward(byte type, IBufferWriter<byte> output)
    {
        _reader.Forward(output);
        Counters.CountForwarded(type);
    }
}

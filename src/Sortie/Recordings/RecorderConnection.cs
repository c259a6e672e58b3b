using System.Buffers;
using System.Buffers.Binary;
using Sortie.Rfb;
using static Sortie.Rfb.RfbConstants;

namespace Sortie.Recordings;

/// <summary>
/// A recorder's own connection to a desktop: it speaks as a view-only viewer (shared, security None), asks for updates,
/// and appends every byte the desktop sends, from its first, to the recording. Both directions go through the gateway's
/// filters, which keep the state they share (version, pixel format, the desktop's size); the server filter also takes the
/// desktop's clipboard out of what is recorded.
/// </summary>
internal sealed class RecorderConnection(Stream desktop, RecordingWriter writer)
{
    /// <summary>How often updates are asked for: a recording shows the desktop at up to ten pictures a second.</summary>
    public static readonly TimeSpan UpdateInterval = TimeSpan.FromMilliseconds(100);
    private const int ReadSize = 64 * 1024;
    private const int MaxDesktopNameLength = 64 * 1024;

    /// <summary>Lossless, and decoded by noVNC (the player) and by the tests' client; the desktop's size changes are followed.</summary>
    private static readonly int[] RecordedEncodings =
        [Encodings.Zrle, Encodings.CopyRect, Encodings.ExtendedDesktopSize, Encodings.DesktopSize, Encodings.LastRect];

    private readonly RfbStreamState _state = new();
    private readonly ArrayBufferWriter<byte> _toFile = new();
    private readonly ArrayBufferWriter<byte> _toDesktop = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private ServerStreamFilter? _received;
    private ClientStreamFilter? _sent;
    /// <summary>What the desktop sent until its first update: kept back, so that a connection dropped before (below)
    /// leaves nothing in the file and the recorder can connect again.</summary>
    private ArrayBufferWriter<byte>? _untilFirstUpdate = new();

    /// <summary>
    /// Whether the desktop has sent an update, which it does only once it has taken this connection's encodings: from
    /// then on it follows a resize. Before, a resize (the owner's window, as the recording begins) makes a VNC server
    /// drop the connection; nothing of it is in the file yet, and the recorder connects again.
    /// </summary>
    public bool Started => _untilFirstUpdate is null;

    private ServerStreamFilter Received => _received ??= new ServerStreamFilter(_state);
    private ClientStreamFilter Sent => _sent ??= new ClientStreamFilter(ViewerRights.ViewOnly, _state);

    /// <summary>The handshake, then the format and encodings the recording is in, and a first whole picture.</summary>
    public async Task HandshakeAsync(CancellationToken ct)
    {
        var banner = RfbBanner.Parse(await ReceiveAsync(RfbBanner.Length, ct));
        var version = banner.Major > 3 || banner.Minor >= 8 ? RfbBanner.Version38
            : banner.Minor == 7 ? RfbBanner.Version37 : RfbBanner.Version33;
        await SendAsync(version.ToBytes(), ct);
        if (version == RfbBanner.Version33)
        {
            if (BinaryPrimitives.ReadUInt32BigEndian(await ReceiveAsync(4, ct)) != SecurityType.None)
                throw new RfbProtocolException("the desktop asks for a security type other than None");
        }
        else
        {
            var count = (await ReceiveAsync(1, ct))[0];
            if (count == 0 || !(await ReceiveAsync(count, ct)).Contains(SecurityType.None))
                throw new RfbProtocolException("the desktop does not offer security type None");
            await SendAsync([SecurityType.None], ct);
            if (version == RfbBanner.Version38 && BinaryPrimitives.ReadUInt32BigEndian(await ReceiveAsync(4, ct)) != SecurityResult.Ok)
                throw new RfbProtocolException("the desktop refused the connection");
        }
        await SendAsync([1], ct); // ClientInit: shared, never alone
        var init = await ReceiveAsync(4 + PixelFormat.Size + 4, ct);
        var nameLength = BinaryPrimitives.ReadUInt32BigEndian(init.AsSpan(4 + PixelFormat.Size));
        if (nameLength > MaxDesktopNameLength) throw new RfbProtocolException($"a desktop name of {nameLength} bytes");
        await ReceiveAsync((int)nameLength, ct);

        var format = new byte[4 + PixelFormat.Size];
        format[0] = ClientMessage.SetPixelFormat;
        PixelFormat.Rgb888.Write(format.AsSpan(4)); // noVNC's own, so the player shows the stream as it is
        await SendAsync(format, ct);
        var encodings = new byte[4 + 4 * RecordedEncodings.Length];
        encodings[0] = ClientMessage.SetEncodings;
        BinaryPrimitives.WriteUInt16BigEndian(encodings.AsSpan(2), (ushort)RecordedEncodings.Length);
        for (var i = 0; i < RecordedEncodings.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(encodings.AsSpan(4 + 4 * i), RecordedEncodings[i]);
        await SendAsync(encodings, ct);
        await RequestUpdateAsync(incremental: false, ct);
    }

    /// <summary>Records what the desktop sends until it closes (an <see cref="EndOfStreamException"/>) or the recording stops.</summary>
    public async Task PumpAsync(CancellationToken ct)
    {
        var buffer = new byte[ReadSize];
        while (true)
        {
            var read = await desktop.ReadAsync(buffer, ct);
            if (read == 0) throw new EndOfStreamException("The desktop closed the connection.");
            Record(buffer.AsSpan(0, read));
        }
    }

    /// <summary>Asks for what changed, every <see cref="UpdateInterval"/>: the desktop answers when something did.</summary>
    public async Task RequestUpdatesAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(UpdateInterval);
        while (await timer.WaitForNextTickAsync(ct)) await RequestUpdateAsync(incremental: true, ct);
    }

    private Task RequestUpdateAsync(bool incremental, CancellationToken ct)
    {
        // The whole desktop at its size now: a larger request makes Xvnc complain in its log every time.
        var (width, height) = _state.DesktopSize;
        var request = new byte[10];
        request[0] = ClientMessage.FramebufferUpdateRequest;
        request[1] = incremental ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(6), (ushort)width);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(8), (ushort)height);
        return SendAsync(request, ct);
    }

    private async Task<byte[]> ReceiveAsync(int count, CancellationToken ct)
    {
        var bytes = new byte[count];
        await desktop.ReadExactlyAsync(bytes, ct);
        Record(bytes);
        return bytes;
    }

    /// <summary>What the desktop sent, clipboard taken out, into the file. Only the reading side calls it.</summary>
    private void Record(ReadOnlySpan<byte> received)
    {
        _toFile.ResetWrittenCount();
        Received.Process(received, _toFile);
        if (_untilFirstUpdate is { } held)
        {
            held.Write(_toFile.WrittenSpan);
            if (Received.Counters.Forwarded(ServerMessage.FramebufferUpdate) == 0) return;
            _untilFirstUpdate = null;
            writer.Append(RecordKind.Desktop, held.WrittenSpan);
        }
        else if (_toFile.WrittenCount > 0) writer.Append(RecordKind.Desktop, _toFile.WrittenSpan);
    }

    private async Task SendAsync(byte[] message, CancellationToken ct)
    {
        await _sending.WaitAsync(ct);
        try
        {
            _toDesktop.ResetWrittenCount();
            Sent.Process(message, _toDesktop);
            await desktop.WriteAsync(_toDesktop.WrittenMemory, ct);
        }
        finally { _sending.Release(); }
    }
}

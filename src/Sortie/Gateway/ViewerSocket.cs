using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace Sortie.Gateway;

/// <summary>
/// The server end of a viewer's WebSocket (RFC 6455), framed by Sortie on the upgraded connection.
/// </summary>
/// <remarks>
/// Why not <see cref="WebSocket"/>: the relay moves desktops at hundreds of MB/s, and a <see cref="WebSocket"/> copies each
/// message into a send buffer of its own before Kestrel copies it into the connection. Here the relay reads the desktop's
/// bytes into the frame itself, behind room for its header (<see cref="BeginFrameAsync"/>), and a view-only viewer's filter
/// works in that frame in place, so Kestrel's copy is the only one (profile and figures in docs/benchmarks.md).
/// Only what the gateway needs is here: binary messages in, binary frames out, ping/pong, the close handshake.
/// One frame is written at a time (a send lock); one reader receives.
/// </remarks>
public sealed class ViewerSocket : IDisposable
{
    /// <summary>The longest header of a frame the server sends: it is never masked, so 2 bytes and at most 8 of length.</summary>
    private const int MaxSendHeader = 10;
    private const int MaxControlPayload = 125;
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private const byte Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9, Pong = 0xA;

    private readonly HttpContext _http;
    private readonly Stream _transport;
    private readonly PipeReader _input;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly Timer _keepAlive;
    private byte[]? _frame;
    private long _lastSent = Environment.TickCount64;

    // The data frame being received: payload still to come, its mask and where in the mask the next byte is.
    private long _payloadLeft;
    private uint _mask;
    private int _maskOffset;
    private bool _inMessage;
    private bool _ended;

    private ViewerSocket(HttpContext http, Stream transport, TimeSpan keepAlive)
    {
        _http = http;
        _transport = transport;
        // Zero-byte reads: a quiet viewer's connection holds no read buffer.
        _input = PipeReader.Create(transport, new StreamPipeReaderOptions(bufferSize: 4096, leaveOpen: true, useZeroByteReads: true));
        _keepAlive = new Timer(_ => _ = KeepAliveAsync(keepAlive), null, keepAlive, keepAlive);
    }

    /// <summary>We sent our close frame: nothing more goes out.</summary>
    public bool CloseSent { get; private set; }
    /// <summary>The viewer's close frame arrived: nothing more comes in.</summary>
    public bool CloseReceived { get; private set; }
    /// <summary>Whether a frame can still go out: no close frame sent, the connection neither aborted nor gone.</summary>
    public bool CanSend => !CloseSent && !_ended && !_http.RequestAborted.IsCancellationRequested;

    /// <summary>
    /// Completes the handshake of a request <c>HttpContext.WebSockets.IsWebSocketRequest</c> accepted: an HTTP/1.1
    /// upgrade (101 with the accept key) or an HTTP/2 extended CONNECT (RFC 8441, 200).
    /// </summary>
    /// <param name="keepAlive">How long the viewer may hear nothing before a pong is sent, so that proxies keep a quiet
    /// desktop's connection open.</param>
    public static async Task<ViewerSocket> AcceptAsync(HttpContext http, string? subprotocol, TimeSpan keepAlive)
    {
        if (subprotocol is not null) http.Response.Headers.SecWebSocketProtocol = subprotocol;
        // No request body limit or timeout applies to a WebSocket: it lives as long as the session is watched.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = null;
        http.Features.Get<Microsoft.AspNetCore.Http.Timeouts.IHttpRequestTimeoutFeature>()?.DisableTimeout();
        Stream transport;
        if (http.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect)
        {
            transport = await connect.AcceptAsync();
        }
        else
        {
            var upgrade = http.Features.Get<IHttpUpgradeFeature>() ?? throw new InvalidOperationException("The server cannot upgrade this connection.");
            http.Response.Headers.Connection = "Upgrade";
            http.Response.Headers.Upgrade = "websocket";
            http.Response.Headers.SecWebSocketAccept = AcceptKey(http.Request.Headers.SecWebSocketKey.ToString());
            transport = await upgrade.UpgradeAsync();
        }
        return new ViewerSocket(http, transport, keepAlive);
    }

    /// <summary>RFC 6455 §4.2.2: base64(SHA-1(key + GUID)).</summary>
    public static string AcceptKey(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key.Trim() + AcceptGuid)));

    // ------------------------------------------------------------------ receiving

    /// <summary>Waits until the viewer sent something, holding no buffer meanwhile.</summary>
    public async ValueTask WaitToReceiveAsync()
    {
        var result = await _input.ReadAsync();
        _input.AdvanceTo(result.Buffer.Start);
    }

    /// <summary>
    /// Copies the next payload bytes of the viewer's binary messages into <paramref name="destination"/>, answering pings
    /// on the way. Returns 0 once the viewer's close frame arrived; throws <see cref="WebSocketException"/> when the
    /// connection ends without one or breaks the protocol (after sending close 1002 or 1003, which says why).
    /// </summary>
    public async ValueTask<int> ReceiveAsync(Memory<byte> destination)
    {
        while (!CloseReceived)
        {
            var result = await _input.ReadAsync();
            var buffer = result.Buffer;
            if (_payloadLeft > 0 && !buffer.IsEmpty)
            {
                var take = (int)Math.Min(Math.Min(_payloadLeft, buffer.Length), destination.Length);
                buffer.Slice(0, take).CopyTo(destination.Span);
                Unmask(destination.Span[..take]);
                _payloadLeft -= take;
                _input.AdvanceTo(buffer.GetPosition(take));
                return take;
            }
            if (_payloadLeft == 0 && TryReadHeader(buffer, out var header))
            {
                if (Violation(header) is { } violation)
                {
                    _input.AdvanceTo(buffer.Start);
                    await FailAsync(violation.Status, violation.Why);
                }
                if (!header.IsControl)
                {
                    _input.AdvanceTo(buffer.GetPosition(header.Length));
                    _inMessage = !header.Fin;
                    (_payloadLeft, _mask, _maskOffset) = (header.PayloadLength, header.Mask, 0);
                    continue;
                }
                // A control frame is handled whole (125 bytes at most).
                if (buffer.Length >= header.Length + header.PayloadLength)
                {
                    var payload = buffer.Slice(header.Length, header.PayloadLength).ToArray();
                    _input.AdvanceTo(buffer.GetPosition(header.Length + header.PayloadLength));
                    (_mask, _maskOffset) = (header.Mask, 0);
                    Unmask(payload);
                    if (header.Opcode == Ping) await SendControlAsync(Pong, payload);
                    else if (header.Opcode == Close) CloseReceived = true;
                    continue;
                }
            }
            if (result.IsCompleted) throw Ended();
            _input.AdvanceTo(buffer.Start, buffer.End);
        }
        return 0;
    }

    private readonly record struct FrameHeader(bool Fin, byte Opcode, int Length, long PayloadLength, uint Mask, bool Masked, bool Reserved)
    {
        public bool IsControl => Opcode >= Close;
    }

    private static bool TryReadHeader(ReadOnlySequence<byte> buffer, out FrameHeader header)
    {
        header = default;
        Span<byte> bytes = stackalloc byte[14];
        if (buffer.Length < 2) return false;
        buffer.Slice(0, 2).CopyTo(bytes);
        var lengthCode = bytes[1] & 0x7F;
        var masked = (bytes[1] & 0x80) != 0;
        var length = 2 + (lengthCode == 126 ? 2 : lengthCode == 127 ? 8 : 0) + (masked ? 4 : 0);
        if (buffer.Length < length) return false;
        buffer.Slice(0, length).CopyTo(bytes);
        var at = 2;
        long payload = lengthCode;
        if (lengthCode == 126) { payload = BinaryPrimitives.ReadUInt16BigEndian(bytes[at..]); at += 2; }
        else if (lengthCode == 127) { payload = (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(bytes[at..]), long.MaxValue); at += 8; }
        header = new FrameHeader((bytes[0] & 0x80) != 0, (byte)(bytes[0] & 0x0F), length, payload,
            masked ? BinaryPrimitives.ReadUInt32BigEndian(bytes[at..]) : 0, masked, (bytes[0] & 0x70) != 0);
        return true;
    }

    /// <summary>What is wrong with a frame the viewer sent, if anything.</summary>
    private (WebSocketCloseStatus Status, string Why)? Violation(FrameHeader header) => header switch
    {
        { Reserved: true } => (WebSocketCloseStatus.ProtocolError, "reserved bits set"),
        { Masked: false } => (WebSocketCloseStatus.ProtocolError, "a client's frame must be masked"),
        { IsControl: true, Fin: false } or { IsControl: true, PayloadLength: > MaxControlPayload } =>
            (WebSocketCloseStatus.ProtocolError, "a control frame must be whole and short"),
        { Opcode: Close or Ping or Pong } => null,
        { Opcode: Text } => (WebSocketCloseStatus.InvalidMessageType, "the gateway takes binary messages only"),
        { Opcode: Binary } when _inMessage => (WebSocketCloseStatus.ProtocolError, "a new message before the last one ended"),
        { Opcode: Continuation } when !_inMessage => (WebSocketCloseStatus.ProtocolError, "a continuation of no message"),
        { Opcode: Binary or Continuation } => null,
        _ => (WebSocketCloseStatus.ProtocolError, $"unknown opcode {header.Opcode}"),
    };

    /// <summary>The mask key applies to the payload as a whole, so a payload read in pieces resumes where it stopped.</summary>
    private void Unmask(Span<byte> bytes)
    {
        Span<byte> key = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(key, _mask);
        for (var i = 0; i < bytes.Length; i++) bytes[i] ^= key[(_maskOffset + i) & 3];
        _maskOffset = (_maskOffset + bytes.Length) & 3;
    }

    private async ValueTask FailAsync(WebSocketCloseStatus status, string why)
    {
        await CloseAsync(status, why);
        throw new WebSocketException(WebSocketError.Faulted, $"The viewer broke the WebSocket protocol: {why}.");
    }

    private WebSocketException Ended()
    {
        _ended = true;
        return new(WebSocketError.ConnectionClosedPrematurely, "The viewer's connection ended without a close frame.");
    }

    // ------------------------------------------------------------------ sending

    /// <summary>
    /// Starts a binary frame in a pooled buffer of <paramref name="size"/> bytes (a power of two wastes none of the pool's
    /// buckets): returns the room for its payload, behind room for its header. Until <see cref="EndFrameAsync"/> or
    /// <see cref="CancelFrame"/>, nothing else is sent.
    /// </summary>
    public async ValueTask<Memory<byte>> BeginFrameAsync(int size)
    {
        await _sending.WaitAsync();
        if (CloseSent)
        {
            _sending.Release();
            throw new WebSocketException(WebSocketError.InvalidState, "The close frame was sent.");
        }
        _frame = ArrayPool<byte>.Shared.Rent(size);
        return _frame.AsMemory(MaxSendHeader, size - MaxSendHeader);
    }

    /// <summary>Sends the frame begun, its payload the <paramref name="length"/> bytes at <paramref name="start"/> in the room
    /// <see cref="BeginFrameAsync"/> returned (none: nothing is sent).</summary>
    public async ValueTask EndFrameAsync(int start, int length)
    {
        try
        {
            if (length == 0) return;
            // The room left in front was for the longest header; a shorter one is written right before the payload.
            var header = MaxSendHeader + start - HeaderLength(length);
            WriteHeader(_frame.AsSpan(header), Binary, length);
            await SendAsync(_frame.AsMemory(header, MaxSendHeader + start + length - header));
        }
        finally { CancelFrame(); }
    }

    /// <summary>Gives up the frame begun (or ends the one sent): nothing more of it is sent.</summary>
    public void CancelFrame()
    {
        if (_frame is not null) ArrayPool<byte>.Shared.Return(_frame);
        _frame = null;
        _sending.Release();
    }

    /// <summary>
    /// Sends the close frame (once; later calls do nothing). The connection itself ends when the request does, after the
    /// viewer's answering close frame or a grace the caller decides.
    /// </summary>
    public async ValueTask CloseAsync(WebSocketCloseStatus status, string? reason)
    {
        var text = Encoding.UTF8.GetBytes(reason ?? "");
        var payload = new byte[2 + Math.Min(text.Length, MaxControlPayload - 2)];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)status);
        text.AsSpan(0, payload.Length - 2).CopyTo(payload.AsSpan(2));
        await SendControlAsync(Close, payload);
    }

    /// <summary>Drops the connection at once, with no close frame.</summary>
    public void Abort() => _http.Abort();

    private async ValueTask SendControlAsync(byte opcode, byte[] payload)
    {
        await _sending.WaitAsync();
        try
        {
            if (CloseSent) return;
            if (opcode == Close) CloseSent = true;
            var header = HeaderLength(payload.Length);
            var frame = new byte[header + payload.Length];
            WriteHeader(frame, opcode, payload.Length);
            payload.CopyTo(frame, header);
            await SendAsync(frame);
        }
        finally { _sending.Release(); }
    }

    /// <summary>One write of a whole frame: Kestrel copies it into the connection's output and flushes.</summary>
    private async ValueTask SendAsync(ReadOnlyMemory<byte> frame)
    {
        await _transport.WriteAsync(frame);
        _lastSent = Environment.TickCount64;
    }

    /// <summary>A pong nobody asked for (RFC 6455 §5.5.3) when nothing went out for half the interval or more: a quiet
    /// viewer hears something at least every one and a half intervals.</summary>
    private async Task KeepAliveAsync(TimeSpan interval)
    {
        if (CloseSent || Environment.TickCount64 - _lastSent < interval.TotalMilliseconds / 2) return;
        try { await SendControlAsync(Pong, []); }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException) { } // the connection is ending
    }

    private static int HeaderLength(int payload) => payload <= 125 ? 2 : payload <= ushort.MaxValue ? 4 : 10;

    private static void WriteHeader(Span<byte> into, byte opcode, int payload)
    {
        into[0] = (byte)(0x80 | opcode); // FIN: every frame we send is a whole message
        switch (HeaderLength(payload))
        {
            case 2: into[1] = (byte)payload; break;
            case 4: into[1] = 126; BinaryPrimitives.WriteUInt16BigEndian(into[2..], (ushort)payload); break;
            default: into[1] = 127; BinaryPrimitives.WriteUInt64BigEndian(into[2..], (ulong)payload); break;
        }
    }

    public void Dispose()
    {
        _keepAlive.Dispose();
        _input.Complete();
        _sending.Dispose();
    }
}

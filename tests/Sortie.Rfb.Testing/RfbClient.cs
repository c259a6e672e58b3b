using System.Buffers.Binary;
using System.Text;
using static Sortie.Rfb.RfbConstants;

namespace Sortie.Rfb.Testing;

/// <summary>
/// A small RFB viewer over any stream, for tests and benchmarks. It completes the handshake as a
/// shared client with security None, sends the common client messages, decodes Raw, CopyRect and
/// ZRLE updates into a <see cref="Framebuffer"/>, and keeps what else the server said (clipboard, bells).
/// </summary>
/// <remarks>
/// Sending may overlap with reading; reads must come from one caller at a time. A read cancelled
/// halfway through a message leaves the stream out of step, so a timed-out client is done.
/// </remarks>
public sealed class RfbClient(Stream stream) : IAsyncDisposable
{
    private const int MaxStringLength = 16 * 1024 * 1024;
    private const int MaxZrleDataLength = 64 * 1024 * 1024;
    private const uint FenceRequest = 0x8000_0000;
    private const uint FenceFlagsEchoed = 0b111; // BlockBefore, BlockAfter, SyncNext

    private readonly BufferedStream _input = new(stream, 64 * 1024);
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly List<string> _clipboardTexts = [];
    private ZrleDecoder? _zrle; // made at the first ZRLE rectangle, then kept: its zlib stream spans the connection

    /// <summary>The version the server greeted with.</summary>
    public RfbBanner ServerVersion { get; private set; }

    /// <summary>The format updates arrive in: ServerInit's, until <see cref="SetPixelFormatAsync"/>.</summary>
    public PixelFormat PixelFormat { get; private set; }

    public string DesktopName { get; private set; } = "";

    public Framebuffer Framebuffer { get; private set; } = new(0, 0);

    /// <summary>The texts of the plain ServerCutText messages received, in order.</summary>
    public IReadOnlyList<string> ClipboardTexts => _clipboardTexts;

    /// <summary>Extended-clipboard ServerCutText messages received (not decoded).</summary>
    public int ExtendedClipboardMessages { get; private set; }

    public int Bells { get; private set; }

    public int UpdatesReceived { get; private set; }

    /// <summary>ZRLE rectangles decoded, so that a test can tell the server really used ZRLE.</summary>
    public int ZrleRectangles => _zrle?.Rectangles ?? 0;

    /// <summary>
    /// ZRLE tiles decoded, by subencoding (0 raw, 1 solid, 2–16 packed palette, 128 plain RLE,
    /// 130–255 palette RLE); only those that occurred.
    /// </summary>
    public IReadOnlyDictionary<int, int> ZrleTiles => _zrle?.TilesBySubencoding ?? new Dictionary<int, int>();

    /// <summary>Whether the server said it supports continuous updates (EndOfContinuousUpdates).</summary>
    public bool ContinuousUpdatesSupported { get; private set; }

    /// <summary>
    /// Greets the server with the highest of 3.3/3.7/3.8 it allows, picks security None, asks to
    /// share the desktop (unless <paramref name="shared"/> is false: an exclusive viewer, which a VNC server
    /// answers by disconnecting the others), and reads ServerInit (size, pixel format, name).
    /// </summary>
    public async Task HandshakeAsync(CancellationToken ct = default, bool shared = true)
    {
        ServerVersion = RfbBanner.Parse(await ReadBytesAsync(RfbBanner.Length, ct));
        var version = ServerVersion.Major > 3 || ServerVersion.Minor >= 8 ? RfbBanner.Version38
            : ServerVersion.Minor == 7 ? RfbBanner.Version37 : RfbBanner.Version33;
        await SendAsync(version.ToBytes(), ct);

        if (version == RfbBanner.Version33)
        {
            var type = await ReadUInt32Async(ct);
            if (type == SecurityType.Invalid) throw new RfbProtocolException($"the server refused the connection: {await ReadStringAsync(Encoding.UTF8, ct)}");
            if (type != SecurityType.None) throw new RfbProtocolException($"the server requires security type {type}; this client only speaks None");
        }
        else
        {
            var offered = await ReadBytesAsync(await ReadByteAsync(ct), ct);
            if (offered.Length == 0) throw new RfbProtocolException($"the server refused the connection: {await ReadStringAsync(Encoding.UTF8, ct)}");
            if (!offered.Contains(SecurityType.None))
                throw new RfbProtocolException($"the server does not offer security type None (it offers {string.Join(", ", offered)})");
            await SendAsync([SecurityType.None], ct);
            if (version == RfbBanner.Version38 && await ReadUInt32Async(ct) != SecurityResult.Ok)
                throw new RfbProtocolException($"the security handshake failed: {await ReadStringAsync(Encoding.UTF8, ct)}");
        }

        await SendAsync([shared ? (byte)1 : (byte)0], ct); // ClientInit
        var init = await ReadBytesAsync(4 + PixelFormat.Size, ct);
        Framebuffer = new Framebuffer(BinaryPrimitives.ReadUInt16BigEndian(init), BinaryPrimitives.ReadUInt16BigEndian(init.AsSpan(2)));
        PixelFormat = PixelFormat.Read(init.AsSpan(4));
        DesktopName = await ReadStringAsync(Encoding.UTF8, ct);
    }

    /// <summary>Asks for updates in <paramref name="format"/>; send it before requesting any.</summary>
    public async Task SetPixelFormatAsync(PixelFormat format, CancellationToken ct = default)
    {
        var message = new byte[4 + PixelFormat.Size];
        message[0] = ClientMessage.SetPixelFormat;
        format.Write(message.AsSpan(4));
        await SendAsync(message, ct);
        PixelFormat = format;
    }

    /// <summary>Lists the encodings the server may use, most preferred first.</summary>
    public Task SetEncodingsAsync(IReadOnlyList<int> encodings, CancellationToken ct = default)
    {
        var message = new byte[4 + 4 * encodings.Count];
        message[0] = ClientMessage.SetEncodings;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)encodings.Count);
        for (var i = 0; i < encodings.Count; i++)
            BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(4 + 4 * i), encodings[i]);
        return SendAsync(message, ct);
    }

    /// <summary>Asks for the whole screen: everything, or only what changed.</summary>
    public Task RequestUpdateAsync(bool incremental, CancellationToken ct = default) =>
        RequestUpdateAsync(incremental, 0, 0, Framebuffer.Width, Framebuffer.Height, ct);

    public Task RequestUpdateAsync(bool incremental, int x, int y, int width, int height, CancellationToken ct = default)
    {
        var message = new byte[10];
        message[0] = ClientMessage.FramebufferUpdateRequest;
        message[1] = incremental ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)x);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), (ushort)y);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(6), (ushort)width);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(8), (ushort)height);
        return SendAsync(message, ct);
    }

    /// <summary>Presses or releases the key with X11 keysym <paramref name="keysym"/>.</summary>
    public Task SendKeyAsync(uint keysym, bool down, CancellationToken ct = default)
    {
        var message = new byte[8];
        message[0] = ClientMessage.KeyEvent;
        message[1] = down ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), keysym);
        return SendAsync(message, ct);
    }

    /// <summary>Moves the pointer with <paramref name="buttons"/> held (bit 0 is the left button).</summary>
    public Task SendPointerAsync(int x, int y, byte buttons, CancellationToken ct = default)
    {
        var message = new byte[6];
        message[0] = ClientMessage.PointerEvent;
        message[1] = buttons;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)x);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), (ushort)y);
        return SendAsync(message, ct);
    }

    /// <summary>Sets the server's clipboard to <paramref name="text"/> (plain ClientCutText, Latin-1).</summary>
    public Task SendClipboardAsync(string text, CancellationToken ct = default)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        var message = new byte[8 + bytes.Length];
        message[0] = ClientMessage.ClientCutText;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(4), bytes.Length);
        bytes.CopyTo(message.AsSpan(8));
        return SendAsync(message, ct);
    }

    /// <summary>Asks the server to resize the desktop to one screen of <paramref name="width"/> × <paramref name="height"/> (RFC 6143 §7.5.7 extension).</summary>
    public Task SetDesktopSizeAsync(int width, int height, CancellationToken ct = default)
    {
        var message = new byte[8 + 16];
        message[0] = ClientMessage.SetDesktopSize;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)width);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), (ushort)height);
        message[6] = 1; // one screen: id 0 at 0,0, the whole size, no flags
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(8 + 8), (ushort)width);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(8 + 10), (ushort)height);
        return SendAsync(message, ct);
    }

    /// <summary>Reads one server message, applies it, and returns its type.</summary>
    public async Task<byte> ReadMessageAsync(CancellationToken ct = default)
    {
        var type = await ReadByteAsync(ct);
        switch (type)
        {
            case ServerMessage.FramebufferUpdate:
                await ReadUpdateAsync(ct);
                UpdatesReceived++;
                break;
            case ServerMessage.SetColourMapEntries:
                var colours = await ReadBytesAsync(5, ct);
                await SkipAsync(6L * BinaryPrimitives.ReadUInt16BigEndian(colours.AsSpan(3)), ct);
                break;
            case ServerMessage.Bell:
                Bells++;
                break;
            case ServerMessage.ServerCutText:
                await ReadClipboardAsync(ct);
                break;
            case ServerMessage.EndOfContinuousUpdates:
                ContinuousUpdatesSupported = true;
                break;
            case ServerMessage.Fence:
                await AnswerFenceAsync(ct);
                break;
            case ServerMessage.Xvp:
                await ReadBytesAsync(3, ct);
                break;
            default:
                throw new RfbProtocolException($"unknown server message type {type}");
        }
        return type;
    }

    /// <summary>Reads messages until a framebuffer update has been applied.</summary>
    public Task WaitForUpdateAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var updates = UpdatesReceived;
        return WaitUntilAsync(() => UpdatesReceived > updates, timeout, ct);
    }

    /// <summary>Reads messages until <paramref name="condition"/> holds; throws <see cref="TimeoutException"/> if it does not in time.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken ct = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            while (!condition()) await ReadMessageAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The server did not bring about the awaited state within {timeout.TotalSeconds:0.#} s.");
        }
    }

    /// <summary>
    /// Asks for the whole screen, then for each change, until the picture satisfies
    /// <paramref name="condition"/>; throws <see cref="TimeoutException"/> if it does not in time.
    /// </summary>
    public async Task WaitForPictureAsync(Func<Framebuffer, bool> condition, TimeSpan timeout, CancellationToken ct = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await RequestUpdateAsync(incremental: false, deadline.Token);
            while (true)
            {
                var updates = UpdatesReceived;
                while (UpdatesReceived == updates) await ReadMessageAsync(deadline.Token);
                if (condition(Framebuffer)) return;
                await RequestUpdateAsync(incremental: true, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The picture did not reach the awaited state within {timeout.TotalSeconds:0.#} s.");
        }
    }

    /// <summary>
    /// Reads whatever the server sends, without decoding it, until it stays silent for
    /// <paramref name="quiet"/>: for recording streams in encodings this client cannot decode.
    /// </summary>
    public async Task<byte[]> ReadRawUntilQuietAsync(TimeSpan quiet, CancellationToken ct = default)
    {
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var silence = CancellationTokenSource.CreateLinkedTokenSource(ct);
            silence.CancelAfter(quiet);
            int read;
            try
            {
                read = await _input.ReadAsync(buffer, silence.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return received.ToArray();
            }
            if (read == 0) return received.ToArray();
            received.Write(buffer, 0, read);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _input.DisposeAsync();
        _sending.Dispose();
        _zrle?.Dispose();
    }

    private async Task ReadUpdateAsync(CancellationToken ct)
    {
        var header = await ReadBytesAsync(3, ct);
        var rectangles = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(1));
        for (var i = 0; i < rectangles; i++)
        {
            var rectangle = await ReadBytesAsync(12, ct);
            var x = BinaryPrimitives.ReadUInt16BigEndian(rectangle);
            var y = BinaryPrimitives.ReadUInt16BigEndian(rectangle.AsSpan(2));
            var width = BinaryPrimitives.ReadUInt16BigEndian(rectangle.AsSpan(4));
            var height = BinaryPrimitives.ReadUInt16BigEndian(rectangle.AsSpan(6));
            var encoding = BinaryPrimitives.ReadInt32BigEndian(rectangle.AsSpan(8));
            switch (encoding)
            {
                case RfbConstants.Encodings.Raw:
                    await ReadRawRectangleAsync(x, y, width, height, ct);
                    break;
                case RfbConstants.Encodings.CopyRect:
                    var source = await ReadBytesAsync(4, ct);
                    var sourceX = BinaryPrimitives.ReadUInt16BigEndian(source);
                    var sourceY = BinaryPrimitives.ReadUInt16BigEndian(source.AsSpan(2));
                    CheckInside(sourceX, sourceY, width, height);
                    CheckInside(x, y, width, height);
                    Framebuffer.Copy(sourceX, sourceY, x, y, width, height);
                    break;
                case RfbConstants.Encodings.Zrle:
                    await ReadZrleRectangleAsync(x, y, width, height, ct);
                    break;
                case RfbConstants.Encodings.DesktopSize:
                    Resize(width, height);
                    break;
                case RfbConstants.Encodings.ExtendedDesktopSize:
                    var screens = (await ReadBytesAsync(4, ct))[0];
                    await SkipAsync(16L * screens, ct);
                    Resize(width, height);
                    break;
                case RfbConstants.Encodings.LastRect:
                    return;
                case RfbConstants.Encodings.Cursor:
                    await SkipAsync((long)width * height * PixelFormat.BytesPerPixel + (width + 7) / 8 * height, ct);
                    break;
                case RfbConstants.Encodings.VMwareCursor:
                    var cursorType = (await ReadBytesAsync(2, ct))[0];
                    await SkipAsync(cursorType == 0 ? 2L * width * height * PixelFormat.BytesPerPixel : 4L * width * height, ct);
                    break;
                case RfbConstants.Encodings.DesktopName:
                    DesktopName = await ReadStringAsync(Encoding.UTF8, ct);
                    break;
                default:
                    throw new RfbProtocolException($"this client cannot decode rectangle encoding {encoding}");
            }
        }
    }

    private async Task ReadRawRectangleAsync(int x, int y, int width, int height, CancellationToken ct)
    {
        CheckInside(x, y, width, height);
        var bytesPerPixel = PixelFormat.BytesPerPixel;
        var row = new byte[width * bytesPerPixel];
        for (var line = 0; line < height; line++)
        {
            await _input.ReadExactlyAsync(row, ct);
            var pixels = Framebuffer.Row(x, y + line, width);
            for (var i = 0; i < width; i++) pixels[i] = PixelFormat.ReadRgb(row.AsSpan(i * bytesPerPixel));
        }
    }

    /// <summary>A u32 length and that many bytes of the connection's zlib stream, which hold the rectangle's tiles.</summary>
    private async Task ReadZrleRectangleAsync(int x, int y, int width, int height, CancellationToken ct)
    {
        CheckInside(x, y, width, height);
        var length = await ReadUInt32Async(ct);
        if (length > MaxZrleDataLength) throw new RfbProtocolException($"a ZRLE rectangle of {length} bytes is more than this client accepts");
        var compressed = await ReadBytesAsync((int)length, ct);
        (_zrle ??= new ZrleDecoder()).Decode(compressed, PixelFormat, Framebuffer, x, y, width, height);
    }

    private async Task ReadClipboardAsync(CancellationToken ct)
    {
        var header = await ReadBytesAsync(7, ct);
        var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(3));
        if (length < 0)
        {
            await SkipAsync(-(long)length, ct);
            ExtendedClipboardMessages++;
            return;
        }
        if (length > MaxStringLength) throw new RfbProtocolException($"clipboard of {length} bytes is more than this client accepts");
        _clipboardTexts.Add(Encoding.Latin1.GetString(await ReadBytesAsync(length, ct)));
    }

    /// <summary>Answers a fence request as the extension asks: same payload, request bit cleared.</summary>
    private async Task AnswerFenceAsync(CancellationToken ct)
    {
        var header = await ReadBytesAsync(8, ct);
        var flags = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(3));
        var payload = await ReadBytesAsync(header[7], ct);
        if ((flags & FenceRequest) == 0) return;

        var answer = new byte[9 + payload.Length];
        answer[0] = ClientMessage.Fence;
        BinaryPrimitives.WriteUInt32BigEndian(answer.AsSpan(4), flags & FenceFlagsEchoed);
        answer[8] = (byte)payload.Length;
        payload.CopyTo(answer.AsSpan(9));
        await SendAsync(answer, ct);
    }

    private void Resize(int width, int height)
    {
        if (width != Framebuffer.Width || height != Framebuffer.Height) Framebuffer.Resize(width, height);
    }

    private void CheckInside(int x, int y, int width, int height)
    {
        if (!Framebuffer.Contains(x, y, width, height))
            throw new RfbProtocolException($"rectangle {width}x{height} at ({x}, {y}) is outside the {Framebuffer.Width}x{Framebuffer.Height} framebuffer");
    }

    private async Task SendAsync(byte[] message, CancellationToken ct)
    {
        await _sending.WaitAsync(ct);
        try
        {
            await stream.WriteAsync(message, ct);
            await stream.FlushAsync(ct);
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task<string> ReadStringAsync(Encoding encoding, CancellationToken ct)
    {
        var length = await ReadUInt32Async(ct);
        if (length > MaxStringLength) throw new RfbProtocolException($"a string of {length} bytes is more than this client accepts");
        return encoding.GetString(await ReadBytesAsync((int)length, ct));
    }

    private async Task<byte> ReadByteAsync(CancellationToken ct) => (await ReadBytesAsync(1, ct))[0];

    private async Task<uint> ReadUInt32Async(CancellationToken ct) =>
        BinaryPrimitives.ReadUInt32BigEndian(await ReadBytesAsync(4, ct));

    private async Task<byte[]> ReadBytesAsync(int count, CancellationToken ct)
    {
        var bytes = new byte[count];
        await _input.ReadExactlyAsync(bytes, ct);
        return bytes;
    }

    private async Task SkipAsync(long count, CancellationToken ct)
    {
        var buffer = new byte[(int)Math.Min(count, 64 * 1024)];
        while (count > 0)
        {
            var chunk = (int)Math.Min(count, buffer.Length);
            await _input.ReadExactlyAsync(buffer.AsMemory(0, chunk), ct);
            count -= chunk;
        }
    }
}

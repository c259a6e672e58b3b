using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Sortie.Rfb;
using static Sortie.Rfb.RfbConstants;

namespace Sortie.Bench;

/// <summary>
/// A VNC server that does nothing but send pictures: RFB 3.8, security None, a 1920x1080 32 bpp ServerInit, then
/// full-screen Raw updates (8.3 MB), written as fast as the client reads. Its desktop is a full-screen video that changes
/// whole between any two updates, so every request is answered with the whole screen: each full (non-incremental) one, and
/// an incremental one (a session recorder's, ten a second) unless an update is already owed to that client, as Xvnc merges
/// them, so that a client reading slower than it asks is not sent a backlog. Pixel formats and encodings asked for are
/// ignored: Raw in the server's format, which every client takes (the recorder asks for this same format).
/// </summary>
public sealed class SyntheticVnc : IDisposable
{
    public const int Width = 1920, Height = 1080;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly byte[] _update = BuildUpdate();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public SyntheticVnc()
    {
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(); }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { return; }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        client.NoDelay = true;
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(RfbBanner.Version38.ToBytes());
            await stream.ReadExactlyAsync(new byte[RfbBanner.Length]);
            await stream.WriteAsync(new byte[] { 1, SecurityType.None });
            await stream.ReadExactlyAsync(new byte[1]);
            await stream.WriteAsync(new byte[4]); // SecurityResult OK
            await stream.ReadExactlyAsync(new byte[1]); // ClientInit
            await stream.WriteAsync(ServerInit());

            // The updates owed to this client: read and answered side by side, so that a request arriving while an update
            // is written counts (that update began before it).
            using var owed = new SemaphoreSlim(0);
            using var gone = new CancellationTokenSource();
            var sending = SendAsync(stream, owed, gone.Token);
            try { await ReadRequestsAsync(stream, owed); }
            finally
            {
                await gone.CancelAsync();
                try { await sending; } catch (OperationCanceledException) { }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or EndOfStreamException or ObjectDisposedException) { }
    }

    private async Task SendAsync(NetworkStream stream, SemaphoreSlim owed, CancellationToken ct)
    {
        while (true)
        {
            await owed.WaitAsync(ct);
            await stream.WriteAsync(_update, ct);
        }
    }

    private static async Task ReadRequestsAsync(NetworkStream stream, SemaphoreSlim owed)
    {
        var header = new byte[20];
        while (true)
        {
            await stream.ReadExactlyAsync(header.AsMemory(0, 1));
            switch (header[0])
            {
                case ClientMessage.FramebufferUpdateRequest:
                    await stream.ReadExactlyAsync(header.AsMemory(1, 9));
                    // Only this loop adds to the count, so an incremental request seeing none owed adds the one it needs.
                    if (header[1] == 0 || owed.CurrentCount == 0) owed.Release();
                    break;
                case ClientMessage.SetPixelFormat: await stream.ReadExactlyAsync(header.AsMemory(1, 19)); break;
                case ClientMessage.KeyEvent: await stream.ReadExactlyAsync(header.AsMemory(1, 7)); break;
                case ClientMessage.PointerEvent: await stream.ReadExactlyAsync(header.AsMemory(1, 5)); break;
                case ClientMessage.SetEncodings:
                    await stream.ReadExactlyAsync(header.AsMemory(1, 3));
                    await stream.ReadExactlyAsync(new byte[4 * BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2))]);
                    break;
                case ClientMessage.ClientCutText:
                    await stream.ReadExactlyAsync(header.AsMemory(1, 7));
                    await stream.ReadExactlyAsync(new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4))]);
                    break;
                default: return; // nothing else is expected from the bench's client or a recorder
            }
        }
    }

    private static byte[] ServerInit()
    {
        var init = new byte[4 + PixelFormat.Size + 4 + 5];
        BinaryPrimitives.WriteUInt16BigEndian(init, Width);
        BinaryPrimitives.WriteUInt16BigEndian(init.AsSpan(2), Height);
        PixelFormat.Rgb888.Write(init.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(init.AsSpan(4 + PixelFormat.Size), 5);
        "bench"u8.CopyTo(init.AsSpan(8 + PixelFormat.Size));
        return init;
    }

    private static byte[] BuildUpdate()
    {
        var update = new byte[4 + 12 + Width * Height * 4];
        update[0] = ServerMessage.FramebufferUpdate;
        BinaryPrimitives.WriteUInt16BigEndian(update.AsSpan(2), 1);
        BinaryPrimitives.WriteUInt16BigEndian(update.AsSpan(8), Width);
        BinaryPrimitives.WriteUInt16BigEndian(update.AsSpan(10), Height);
        Random.Shared.NextBytes(update.AsSpan(16)); // what the pixels are does not matter to Raw
        return update;
    }

    public void Dispose() => _listener.Stop();
}

using System.Buffers.Binary;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Sortie.Gateway;
using Sortie.Viewers;

namespace Sortie.Tests.Gateway;

/// <summary>
/// The gateway's own WebSocket framing (<see cref="ViewerSocket"/>) as a raw client meets it: the handshake, fragmented
/// and interleaved frames, pings, the close handshake, and frames the protocol forbids.
/// </summary>
public sealed class ViewerSocketTests(SortieServer server) : IClassFixture<SortieServer>
{
    [Fact]
    public void The_accept_key_is_the_one_in_RFC_6455() =>
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", ViewerSocket.AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="));

    [Fact]
    public async Task A_message_in_fragments_with_a_ping_between_reaches_the_desktop_and_the_ping_is_answered()
    {
        await using var ws = await RawSocket.OpenAsync(server);
        Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(await ws.ReadBinaryAsync(12)));

        // The viewer's version, split over a binary frame and two continuations, with a ping in the middle.
        var version = Encoding.ASCII.GetBytes("RFB 003.008\n");
        await ws.SendAsync(0x2, version[..3], fin: false);
        await ws.SendAsync(0x9, "are you there"u8.ToArray());
        await ws.SendAsync(0x0, version[3..7], fin: false);
        await ws.SendAsync(0x0, version[7..]);

        var (pongOpcode, pong) = await ws.ReadFrameAsync();
        Assert.Equal(0xA, pongOpcode);
        Assert.Equal("are you there", Encoding.ASCII.GetString(pong));
        // The desktop understood the version: it offers its security types (count, then types).
        var (opcode, security) = await ws.ReadFrameAsync();
        Assert.Equal(0x2, opcode);
        Assert.True(security[0] > 0 && security.Length == 1 + security[0]);
    }

    [Fact]
    public async Task A_close_frame_is_answered_with_one_and_the_connection_ends()
    {
        await using var ws = await RawSocket.OpenAsync(server);
        await ws.ReadBinaryAsync(12);
        await ws.SendAsync(0x8, [0x03, 0xE8]); // 1000
        var (opcode, payload) = await ws.ReadFrameAsync();
        Assert.Equal(0x8, opcode);
        Assert.Equal(1000, BinaryPrimitives.ReadUInt16BigEndian(payload));
        Assert.True(await ws.EndedAsync());
    }

    [Theory]
    [InlineData("unmasked", 1002)]
    [InlineData("text", 1003)]
    [InlineData("reserved bits", 1002)]
    [InlineData("continuation of nothing", 1002)]
    [InlineData("long ping", 1002)]
    [InlineData("fragmented ping", 1002)]
    public async Task A_frame_the_protocol_forbids_closes_the_viewer_with_the_code_that_says_why(string frame, int code)
    {
        await using var ws = await RawSocket.OpenAsync(server);
        await ws.ReadBinaryAsync(12);
        switch (frame)
        {
            case "unmasked": await ws.SendAsync(0x2, [1, 2, 3], masked: false); break;
            case "text": await ws.SendAsync(0x1, "RFB 003.008\n"u8.ToArray()); break;
            case "reserved bits": await ws.SendAsync(0x2 | 0x40, [1]); break;
            case "continuation of nothing": await ws.SendAsync(0x0, [1]); break;
            case "long ping": await ws.SendAsync(0x9, new byte[126]); break;
            case "fragmented ping": await ws.SendAsync(0x9, [1], fin: false); break;
        }
        var (opcode, payload) = await ws.ReadFrameAsync();
        Assert.Equal(0x8, opcode);
        Assert.Equal(code, BinaryPrimitives.ReadUInt16BigEndian(payload));
        Assert.True(await ws.EndedAsync());
    }

    [Fact]
    public async Task The_standard_client_sees_the_reason_of_a_server_close()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var _ = owner;
        using var socket = await owner.ConnectAsync(session.Id);
        var buffer = new byte[4096];
        await socket.ReceiveAsync(buffer, CancellationToken.None); // the banner
        await owner.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
        WebSocketReceiveResult result;
        do result = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        while (result.MessageType != WebSocketMessageType.Close);
        Assert.Equal((WebSocketCloseStatus)CloseReason.SessionEnded.Code, socket.CloseStatus);
        Assert.Equal(CloseReason.SessionEnded.Text, socket.CloseStatusDescription);
    }

    /// <summary>A WebSocket client written out by hand, so a test can send what a well-behaved client never would.</summary>
    private sealed class RawSocket : IAsyncDisposable
    {
        private readonly TcpClient _tcp;
        private readonly NetworkStream _stream;
        private readonly ApiClient _owner;

        private RawSocket(TcpClient tcp, ApiClient owner) => (_tcp, _stream, _owner) = (tcp, tcp.GetStream(), owner);

        public static async Task<RawSocket> OpenAsync(SortieServer server)
        {
            var (owner, session) = await server.NewRunningSessionAsync();
            var tcp = new TcpClient();
            await tcp.ConnectAsync(server.BaseUri.Host, server.BaseUri.Port);
            var ws = new RawSocket(tcp, owner);
            var key = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
            var request = $"GET /ws/sessions/{session.Id} HTTP/1.1\r\nHost: {server.BaseUri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {owner.Tokens!.AccessToken}\r\n\r\n";
            await ws._stream.WriteAsync(Encoding.ASCII.GetBytes(request));
            var response = await ws.ReadHeadAsync();
            Assert.StartsWith("HTTP/1.1 101", response);
            Assert.Contains($"Sec-WebSocket-Accept: {ViewerSocket.AcceptKey(key)}", response, StringComparison.OrdinalIgnoreCase);
            return ws;
        }

        private async Task<string> ReadHeadAsync()
        {
            var head = new List<byte>();
            var one = new byte[1];
            while (!Encoding.ASCII.GetString(head.ToArray()).EndsWith("\r\n\r\n"))
            {
                await _stream.ReadExactlyAsync(one).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
                head.Add(one[0]);
            }
            return Encoding.ASCII.GetString(head.ToArray());
        }

        public async Task SendAsync(int opcode, byte[] payload, bool fin = true, bool masked = true)
        {
            var frame = new List<byte> { (byte)((fin ? 0x80 : 0) | opcode) };
            var maskBit = masked ? 0x80 : 0;
            if (payload.Length < 126) frame.Add((byte)(maskBit | payload.Length));
            else frame.AddRange([(byte)(maskBit | 126), (byte)(payload.Length >> 8), (byte)payload.Length]);
            var mask = new byte[] { 0x12, 0x34, 0x56, 0x78 };
            if (masked) frame.AddRange(mask);
            frame.AddRange(payload.Select((b, i) => masked ? (byte)(b ^ mask[i % 4]) : b));
            await _stream.WriteAsync(frame.ToArray());
        }

        /// <summary>The next frame the server sent: its opcode and payload (servers never mask).</summary>
        public async Task<(int Opcode, byte[] Payload)> ReadFrameAsync()
        {
            var head = await ReadAsync(2);
            Assert.Equal(0x80, head[0] & 0x80); // the server sends whole messages
            Assert.Equal(0, head[1] & 0x80);
            long length = head[1] & 0x7F;
            if (length == 126) length = BinaryPrimitives.ReadUInt16BigEndian(await ReadAsync(2));
            else if (length == 127) length = (long)BinaryPrimitives.ReadUInt64BigEndian(await ReadAsync(8));
            return (head[0] & 0x0F, await ReadAsync((int)length));
        }

        /// <summary>Exactly <paramref name="count"/> bytes of the stream of binary messages.</summary>
        public async Task<byte[]> ReadBinaryAsync(int count)
        {
            var bytes = new List<byte>();
            while (bytes.Count < count)
            {
                var (opcode, payload) = await ReadFrameAsync();
                Assert.Equal(0x2, opcode);
                bytes.AddRange(payload);
            }
            Assert.Equal(count, bytes.Count);
            return bytes.ToArray();
        }

        public async Task<bool> EndedAsync()
        {
            var one = new byte[1];
            try { return await _stream.ReadAsync(one).AsTask().WaitAsync(TimeSpan.FromSeconds(10)) == 0; }
            catch (IOException) { return true; }
        }

        private async Task<byte[]> ReadAsync(int count)
        {
            var bytes = new byte[count];
            await _stream.ReadExactlyAsync(bytes).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            return bytes;
        }

        public ValueTask DisposeAsync()
        {
            _tcp.Dispose();
            _owner.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

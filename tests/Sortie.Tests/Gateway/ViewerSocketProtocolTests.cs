using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Sortie.Gateway;

namespace Sortie.Tests.Gateway;

/// <summary>
/// <see cref="ViewerSocket"/>'s two handshakes, on a Kestrel of the test's own: the HTTP/1.1 upgrade every browser uses
/// on cleartext, and HTTP/2's extended CONNECT (RFC 8441), which browsers use when Kestrel itself speaks h2 over TLS.
/// </summary>
public sealed class ViewerSocketProtocolTests
{
    [Theory]
    [InlineData(HttpProtocols.Http1, "1.1")]
    [InlineData(HttpProtocols.Http2, "2.0")]
    public async Task A_standard_client_exchanges_messages_and_closes_over_HTTP(HttpProtocols protocols, string version)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = protocols));
        await using var app = builder.Build();
        app.UseWebSockets();
        string? protocol = null;
        // Echoes what it receives as binary frames, then answers the client's close.
        app.Map("/echo", async (HttpContext http) =>
        {
            if (!http.WebSockets.IsWebSocketRequest) return;
            protocol = http.Request.Protocol;
            using var socket = await ViewerSocket.AcceptAsync(http, "binary", TimeSpan.FromMinutes(1));
            var received = new byte[4096];
            int count;
            while ((count = await socket.ReceiveAsync(received)) > 0)
            {
                var frame = await socket.BeginFrameAsync(4096);
                received.AsMemory(0, count).CopyTo(frame);
                await socket.EndFrameAsync(0, count);
            }
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye");
        });
        await app.StartAsync(TestContext.Current.CancellationToken);

        var address = new Uri(app.Urls.Single().Replace("http://", "ws://") + "/echo");
        using var client = new ClientWebSocket();
        client.Options.HttpVersion = Version.Parse(version);
        client.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        client.Options.AddSubProtocol("binary");
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        await client.ConnectAsync(address, invoker, TestContext.Current.CancellationToken);
        Assert.Equal("binary", client.SubProtocol);
        Assert.Equal(version == "2.0" ? "HTTP/2" : "HTTP/1.1", protocol);

        var message = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        await client.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, TestContext.Current.CancellationToken);
        var echoed = new List<byte>();
        var buffer = new byte[4096];
        while (echoed.Count < message.Length)
        {
            var result = await client.ReceiveAsync(buffer, TestContext.Current.CancellationToken);
            Assert.Equal(WebSocketMessageType.Binary, result.MessageType);
            echoed.AddRange(buffer[..result.Count]);
        }
        Assert.Equal(message, echoed);

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", TestContext.Current.CancellationToken);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
        Assert.Equal("bye", client.CloseStatusDescription);
    }
}

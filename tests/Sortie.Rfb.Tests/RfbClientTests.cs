using Sortie.Rfb.Tests.Support;
using Sortie.Rfb.Testing;

namespace Sortie.Rfb.Tests;

/// <summary>The test client against scripted server bytes; against a real server see <see cref="RealServerTests"/>.</summary>
public sealed class RfbClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Answers_the_handshake_as_a_shared_client_with_security_None()
    {
        var server = new ScriptedStream(ServerBytes.Handshake38);
        await using var client = new RfbClient(server);
        await client.HandshakeAsync(Ct);
        Assert.Equal(ClientBytes.Handshake38, server.Written);
        Assert.Equal("test", client.DesktopName);
        Assert.Equal(PixelFormat.Rgb888, client.PixelFormat);
        Assert.Equal((320, 240), (client.Framebuffer.Width, client.Framebuffer.Height));
    }

    [Fact]
    public async Task Decodes_Raw_and_CopyRect_into_the_picture()
    {
        var raw = ServerBytes.Rectangle(2, 1, Encodings.Raw, x: 10, y: 20).Bytes([0x11, 0x22, 0x33, 0, 0x44, 0x55, 0x66, 0]).ToArray();
        var copy = ServerBytes.Rectangle(2, 1, Encodings.CopyRect, x: 11, y: 21).U16(10).U16(20).ToArray();
        await using var client = await ConnectedAsync(ServerBytes.Update(raw, copy));
        await client.WaitForUpdateAsync(Timeout, Ct);
        Assert.Equal(0x112233u, client.Framebuffer[10, 20]);
        Assert.Equal(0x445566u, client.Framebuffer[11, 20]);
        Assert.Equal(0x112233u, client.Framebuffer[11, 21]);
        Assert.Equal(0x445566u, client.Framebuffer[12, 21]);
    }

    [Fact]
    public async Task Follows_a_desktop_resize_and_stops_at_LastRect()
    {
        await using var client = await ConnectedAsync(ServerBytes.UncountedUpdate(ServerBytes.DesktopSize(640, 480)), ServerBytes.Bell);
        await client.WaitUntilAsync(() => client.Bells == 1, Timeout, Ct);
        Assert.Equal((640, 480), (client.Framebuffer.Width, client.Framebuffer.Height));
    }

    [Fact]
    public async Task Keeps_clipboard_text_and_counts_bells()
    {
        await using var client = await ConnectedAsync(ServerBytes.ServerCutText("copied"), ServerBytes.ExtendedServerCutText(), ServerBytes.Bell);
        await client.WaitUntilAsync(() => client.Bells == 1, Timeout, Ct);
        Assert.Equal(["copied"], client.ClipboardTexts);
        Assert.Equal(1, client.ExtendedClipboardMessages);
    }

    [Fact]
    public async Task Answers_a_fence_request_with_the_same_payload()
    {
        var server = new ScriptedStream(Wire.Concat(ServerBytes.Handshake38, ServerBytes.Fence(0x8000_0002, 3), ServerBytes.Bell));
        await using var client = new RfbClient(server);
        await client.HandshakeAsync(Ct);
        await client.WaitUntilAsync(() => client.Bells == 1, Timeout, Ct);
        Assert.Equal(ClientBytes.Fence(0x0000_0002, 3), server.Written[ClientBytes.Handshake38.Length..]);
    }

    [Fact]
    public async Task A_rectangle_outside_the_picture_is_refused()
    {
        await using var client = await ConnectedAsync(ServerBytes.Update(ServerBytes.Rectangle(2, 2, Encodings.Raw, x: 319).ToArray()));
        var error = await Assert.ThrowsAsync<RfbProtocolException>(() => client.WaitForUpdateAsync(Timeout, Ct));
        Assert.Equal("rectangle 2x2 at (319, 0) is outside the 320x240 framebuffer", error.Message);
    }

    private static async Task<RfbClient> ConnectedAsync(params byte[][] afterHandshake)
    {
        var client = new RfbClient(new ScriptedStream(Wire.Concat([ServerBytes.Handshake38, .. afterHandshake])));
        await client.HandshakeAsync(Ct);
        return client;
    }
}

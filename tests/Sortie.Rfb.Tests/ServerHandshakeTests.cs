using Sortie.Rfb.Tests.Support;

namespace Sortie.Rfb.Tests;

public sealed class ServerHandshakeTests
{
    private static readonly PixelFormat Rgb565 = new(16, 16, false, true, 31, 63, 31, 11, 5, 0);

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(8)]
    public void The_handshake_passes_through_for_each_version(int minor)
    {
        var version = new RfbBanner(3, minor);
        var connection = new FilteredConnection();
        connection.FromViewer(ClientBytes.Handshake(version));
        var handshake = Wire.Concat(ServerBytes.Handshake(version, PixelFormat.Rgb888), ServerBytes.Bell);
        Assert.Equal(handshake, connection.FromServer(handshake).ToViewer);
    }

    [Fact]
    public void The_server_may_offer_several_security_types()
    {
        var connection = new FilteredConnection().FromViewer(ClientBytes.Handshake38);
        var handshake = new Wire().Bytes(ServerBytes.Greeting).U8(3).U8(2).U8(19).U8(1).U32(0)
            .Bytes(ServerBytes.ServerInit(PixelFormat.Rgb888)).Bytes(ServerBytes.Bell).ToArray();
        Assert.Equal(handshake, connection.FromServer(handshake).ToViewer);
    }

    [Fact]
    public void The_longest_security_type_list_passes_through()
    {
        var connection = new FilteredConnection().FromViewer(ClientBytes.Handshake38);
        var handshake = new Wire().Bytes(ServerBytes.Greeting).U8(255).Filler(255, 1).U32(0)
            .Bytes(ServerBytes.ServerInit(PixelFormat.Rgb888)).ToArray();
        Assert.Equal(handshake, connection.FromServer(handshake).ToViewer);
    }

    [Fact]
    public void A_refusal_passes_through_with_its_reason_and_nothing_may_follow()
    {
        var connection = new FilteredConnection().FromViewer(ClientBytes.Handshake38);
        var refusal = new Wire().Bytes(ServerBytes.Greeting).U8(0).U32(8).Ascii("too many").ToArray();
        Assert.Equal(refusal, connection.FromServer(refusal).ToViewer);
        var error = Assert.Throws<RfbProtocolException>(() => connection.FromServer([0]));
        Assert.Equal("the server sent data after refusing the connection", error.Message);
    }

    [Fact]
    public void A_3_3_refusal_passes_through_with_its_reason()
    {
        var connection = new FilteredConnection().FromViewer(ClientBytes.Handshake(RfbBanner.Version33));
        var refusal = new Wire().Bytes(ServerBytes.Greeting).U32(0).U32(4).Ascii("busy").ToArray();
        Assert.Equal(refusal, connection.FromServer(refusal).ToViewer);
    }

    [Fact]
    public void A_failed_security_result_passes_through_with_its_reason()
    {
        var connection = new FilteredConnection().FromViewer(ClientBytes.Handshake38);
        var failure = new Wire().Bytes(ServerBytes.Greeting).U8(1).U8(1).U32(1).U32(6).Ascii("denied").ToArray();
        Assert.Equal(failure, connection.FromServer(failure).ToViewer);
        Assert.Throws<RfbProtocolException>(() => connection.FromServer([0]));
    }

    [Fact]
    public void A_3_3_server_demanding_a_password_is_refused()
    {
        var connection = new FilteredConnection().FromViewer(ClientBytes.Handshake(RfbBanner.Version33));
        var error = Assert.Throws<RfbProtocolException>(() => connection.FromServer(ServerBytes.Greeting, new Wire().U32(2).ToArray()));
        Assert.Equal("the server chose security type 2; only None (1) is supported", error.Message);
    }

    [Fact]
    public void Security_data_before_the_viewer_chose_a_version_is_refused()
    {
        var connection = new FilteredConnection().FromServer(ServerBytes.Greeting);
        var error = Assert.Throws<RfbProtocolException>(() => connection.FromServer([1, 1]));
        Assert.Equal("the server sent its security handshake before the viewer chose a protocol version", error.Message);
    }

    [Fact]
    public void ServerInit_sets_the_pixel_format_when_the_viewer_has_not()
    {
        var connection = new FilteredConnection().FromViewer(ClientBytes.Handshake38);
        connection.FromServer(ServerBytes.Handshake(RfbBanner.Version38, Rgb565));
        Assert.Equal(Rgb565, connection.State.PixelFormat);
    }

    [Fact]
    public void The_viewers_pixel_format_wins_over_ServerInits()
    {
        var connection = new FilteredConnection().FromViewer(ClientBytes.Handshake38, ClientBytes.SetPixelFormat(PixelFormat.Rgb888));
        connection.FromServer(ServerBytes.Handshake(RfbBanner.Version38, Rgb565));
        Assert.Equal(PixelFormat.Rgb888, connection.State.PixelFormat);
    }

    [Fact]
    public void An_invalid_ServerInit_pixel_format_is_refused()
    {
        var connection = new FilteredConnection().FromViewer(ClientBytes.Handshake38);
        var error = Assert.Throws<RfbProtocolException>(() => connection.FromServer(ServerBytes.Handshake(RfbBanner.Version38, Rgb565 with { BitsPerPixel = 12 })));
        Assert.Equal("invalid pixel format: 12 bits per pixel (must be 8, 16 or 32)", error.Message);
    }

    [Fact]
    public void A_greeting_that_is_not_RFB_is_refused()
    {
        var error = Assert.Throws<RfbProtocolException>(() => new FilteredConnection().FromServer("SSH-2.0-OpenSSH\r\n"u8.ToArray()));
        Assert.StartsWith("not an RFB protocol version", error.Message);
    }
}

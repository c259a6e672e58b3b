using System.Text;
using Sortie.Rfb.Tests.Support;

namespace Sortie.Rfb.Tests;

public sealed class ClientHandshakeTests
{
    [Theory]
    [InlineData(ViewerRights.Full)]
    [InlineData(ViewerRights.ViewOnly)]
    public void A_3_8_handshake_passes_through(ViewerRights rights)
    {
        var connection = new FilteredConnection(rights).FromViewer(ClientBytes.Handshake38);
        Assert.Equal(ClientBytes.Handshake38, connection.ToServer);
    }

    [Fact]
    public void A_3_7_handshake_passes_through()
    {
        var handshake = ClientBytes.Handshake(RfbBanner.Version37);
        Assert.Equal(handshake, new FilteredConnection().FromViewer(handshake).ToServer);
    }

    [Fact]
    public void A_3_3_viewer_sends_no_security_selection()
    {
        // The byte after the greeting is ClientInit; were it taken for a security type, 0 would be refused.
        var connection = new FilteredConnection().FromViewer(ClientBytes.Handshake(RfbBanner.Version33, shared: 0), ClientBytes.UpdateRequest());
        Assert.Equal(Wire.Concat(RfbBanner.Version33.ToBytes(), [1], ClientBytes.UpdateRequest()), connection.ToServer);
    }

    [Fact]
    public void The_viewers_version_is_recorded_for_the_server_filter()
    {
        var connection = new FilteredConnection().FromViewer(RfbBanner.Version37.ToBytes());
        Assert.Equal(RfbBanner.Version37, connection.State.ViewerVersion);
    }

    [Theory]
    [InlineData(ViewerRights.Full, 0)]
    [InlineData(ViewerRights.Full, 1)]
    [InlineData(ViewerRights.ViewOnly, 0)]
    [InlineData(ViewerRights.ViewOnly, 7)]
    public void The_shared_flag_is_always_forced_on(ViewerRights rights, byte shared)
    {
        var connection = new FilteredConnection(rights).FromViewer(ClientBytes.Handshake(RfbBanner.Version38, shared));
        Assert.Equal(1, connection.ToServer[^1]);
    }

    [Theory]
    [InlineData("RFB 003.889\n")]
    [InlineData("RFB 004.001\n")]
    [InlineData("RFB 003.005\n")]
    public void Versions_other_than_3_3_3_7_and_3_8_are_refused(string greeting)
    {
        var filter = new FilteredConnection();
        var error = Assert.Throws<RfbProtocolException>(() => filter.FromViewer(Encoding.ASCII.GetBytes(greeting)));
        Assert.Equal($"unsupported protocol version {greeting.TrimEnd()}; only 3.3, 3.7 and 3.8 are accepted", error.Message);
    }

    [Fact]
    public void A_stream_that_is_not_RFB_is_refused()
    {
        var error = Assert.Throws<RfbProtocolException>(() => new FilteredConnection().FromViewer("GET / HTTP/1.1\r\n"u8.ToArray()));
        Assert.StartsWith("not an RFB protocol version", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(16)]
    [InlineData(19)]
    public void Every_security_type_but_None_is_refused(byte securityType)
    {
        var filter = new FilteredConnection();
        var error = Assert.Throws<RfbProtocolException>(() => filter.FromViewer(RfbBanner.Version38.ToBytes(), [securityType]));
        Assert.Equal($"security type {securityType} is not accepted; the gateway only allows None (1)", error.Message);
    }
}

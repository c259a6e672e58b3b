using System.Text;

namespace Sortie.Rfb.Tests;

public sealed class RfbBannerTests
{
    [Fact]
    public void Reads_the_major_and_minor_version()
    {
        var banner = RfbBanner.Parse("RFB 003.008\n"u8);
        Assert.Equal(3, banner.Major);
        Assert.Equal(8, banner.Minor);
    }

    [Theory]
    [InlineData("RFB 003.003\n")]
    [InlineData("RFB 003.889\n")]
    [InlineData("RFB 004.001\nand more")]
    public void Recognises_an_RFB_greeting(string text) => Assert.True(RfbBanner.IsRfb(Encoding.ASCII.GetBytes(text)));

    [Theory]
    [InlineData("")]
    [InlineData("RFB 003.008")]
    [InlineData("RFB 03.0008\n")]
    [InlineData("RFB 003,008\n")]
    [InlineData("RFB 00a.008\n")]
    [InlineData("HTTP/1.1 200")]
    [InlineData("SSH-2.0-Open")]
    public void Does_not_mistake_anything_else_for_a_greeting(string text) => Assert.False(RfbBanner.IsRfb(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void A_malformed_greeting_is_rejected_with_what_arrived()
    {
        var error = Assert.Throws<RfbProtocolException>(() => RfbBanner.Parse("GET / HTTP/1.1\r\n"u8));
        Assert.Equal("not an RFB protocol version: \"GET / HTTP/1\"", error.Message);
    }

    [Fact]
    public void Writes_the_greeting_it_reads() =>
        Assert.Equal("RFB 003.007\n"u8.ToArray(), RfbBanner.Parse("RFB 003.007\n"u8).ToBytes());

    [Fact]
    public void Only_3_3_3_7_and_3_8_are_standard()
    {
        Assert.True(RfbBanner.Version33.IsStandard);
        Assert.True(RfbBanner.Version37.IsStandard);
        Assert.True(RfbBanner.Version38.IsStandard);
        Assert.False(new RfbBanner(3, 889).IsStandard);
        Assert.False(new RfbBanner(4, 1).IsStandard);
    }
}

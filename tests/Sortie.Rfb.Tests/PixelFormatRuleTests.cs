using Sortie.Rfb.Tests.Support;

namespace Sortie.Rfb.Tests;

public sealed class PixelFormatRuleTests
{
    private static readonly PixelFormat Rgb565 = new(16, 16, false, true, 31, 63, 31, 11, 5, 0);

    [Fact]
    public void The_viewers_pixel_format_is_shared_before_it_reaches_the_server()
    {
        var connection = FilteredConnection.Established().FromViewer(ClientBytes.SetPixelFormat(Rgb565));
        Assert.Equal(Rgb565, connection.State.PixelFormat);
    }

    [Fact]
    public void A_view_only_viewer_may_not_change_pixel_format_after_requesting_updates()
    {
        var connection = FilteredConnection.Established().FromViewer(ClientBytes.UpdateRequest());
        var error = Assert.Throws<RfbProtocolException>(() => connection.FromViewer(ClientBytes.SetPixelFormat(Rgb565)));
        Assert.Equal("pixel format changes after the first update request are not supported for view-only viewers", error.Message);
    }

    [Fact]
    public void Continuous_updates_count_as_requesting_updates()
    {
        var connection = FilteredConnection.Established().FromViewer(ClientBytes.EnableContinuousUpdates());
        Assert.Throws<RfbProtocolException>(() => connection.FromViewer(ClientBytes.SetPixelFormat(Rgb565)));
    }

    [Fact]
    public void A_full_access_viewer_may_change_pixel_format_at_any_time()
    {
        var connection = FilteredConnection.Established(ViewerRights.Full).FromViewer(ClientBytes.UpdateRequest());
        connection.ClearOutputs();
        Assert.Equal(ClientBytes.SetPixelFormat(Rgb565), connection.FromViewer(ClientBytes.SetPixelFormat(Rgb565)).ToServer);
    }

    [Theory]
    [InlineData(ViewerRights.Full)]
    [InlineData(ViewerRights.ViewOnly)]
    public void An_invalid_pixel_format_is_refused(ViewerRights rights)
    {
        var connection = FilteredConnection.Established(rights);
        var error = Assert.Throws<RfbProtocolException>(() => connection.FromViewer(ClientBytes.SetPixelFormat(PixelFormat.Rgb888 with { BitsPerPixel = 24 })));
        Assert.Equal("invalid pixel format: 24 bits per pixel (must be 8, 16 or 32)", error.Message);
    }
}

using System.Buffers.Binary;
using Sortie.Rfb.Tests.Support;

namespace Sortie.Rfb.Tests;

public sealed class SetEncodingsTests
{
    [Fact]
    public void Nobody_may_turn_on_extended_mouse_buttons()
    {
        var sent = EncodingsReceivedByServer(ViewerRights.Full, ClientBytes.NoVncEncodings);
        Assert.Equal(ClientBytes.NoVncEncodings.Where(e => e != Encodings.ExtendedMouseButtons), sent);
    }

    [Fact]
    public void A_view_only_viewer_keeps_only_what_the_server_filter_can_frame_in_its_own_order()
    {
        int[] expected =
        [
            Encodings.CopyRect, Encodings.Tight, Encodings.Zrle, Encodings.Raw,
            Encodings.JpegQualityLevel0 + 6, Encodings.CompressLevel0 + 2,
            Encodings.DesktopSize, Encodings.LastRect, Encodings.ExtendedDesktopSize, Encodings.Fence,
            Encodings.ContinuousUpdates, Encodings.DesktopName, Encodings.VMwareCursor, Encodings.Cursor,
        ];
        Assert.Equal(expected, EncodingsReceivedByServer(ViewerRights.ViewOnly, ClientBytes.NoVncEncodings));
    }

    [Fact]
    public void A_view_only_viewer_always_offers_Raw()
    {
        Assert.Equal([Encodings.Tight, Encodings.Raw], EncodingsReceivedByServer(ViewerRights.ViewOnly, [Encodings.Tight, Encodings.Hextile]));
    }

    [Fact]
    public void Every_quality_and_compression_level_is_allowed_to_a_view_only_viewer()
    {
        int[] levels = [.. Enumerable.Range(Encodings.JpegQualityLevel0, 10), .. Enumerable.Range(Encodings.CompressLevel0, 10), Encodings.Raw];
        Assert.Equal(levels, EncodingsReceivedByServer(ViewerRights.ViewOnly, levels));
    }

    [Theory]
    [InlineData(ViewerRights.ViewOnly)]
    [InlineData(ViewerRights.Full)]
    public void The_state_knows_whether_the_viewer_can_follow_a_resize_from_its_latest_list(ViewerRights rights)
    {
        var connection = FilteredConnection.Established(rights);
        Assert.False(connection.State.ViewerFollowsResize); // no list yet: the server assumes nothing

        connection.FromViewer(ClientBytes.SetEncodings([Encodings.Raw, Encodings.ExtendedDesktopSize]));
        Assert.True(connection.State.ViewerFollowsResize);

        connection.FromViewer(ClientBytes.SetEncodings([Encodings.Tight, Encodings.Raw]));
        Assert.False(connection.State.ViewerFollowsResize);
    }

    [Fact]
    public void A_rewritten_list_still_counts_as_one_forwarded_message()
    {
        var connection = FilteredConnection.Established().FromViewer(ClientBytes.SetEncodings(ClientBytes.NoVncEncodings));
        Assert.Equal(1, connection.Client.Counters.Forwarded(ClientMessage.SetEncodings));
    }

    [Fact]
    public void The_message_after_a_rewritten_list_is_intact()
    {
        var connection = FilteredConnection.Established().FromViewer(
            Wire.Concat(ClientBytes.SetEncodings(Encodings.Hextile, Encodings.Raw), ClientBytes.UpdateRequest()));
        Assert.Equal(Wire.Concat(ClientBytes.SetEncodings(Encodings.Raw), ClientBytes.UpdateRequest()), connection.ToServer);
    }

    private static int[] EncodingsReceivedByServer(ViewerRights rights, int[] requested)
    {
        var sent = FilteredConnection.Established(rights).FromViewer(ClientBytes.SetEncodings(requested)).ToServer;
        Assert.Equal(ClientMessage.SetEncodings, sent[0]);
        var count = BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(2));
        Assert.Equal(4 + 4 * count, sent.Length);
        return [.. Enumerable.Range(0, count).Select(i => BinaryPrimitives.ReadInt32BigEndian(sent.AsSpan(4 + 4 * i)))];
    }
}

using Sortie.Rfb.Tests.Support;

namespace Sortie.Rfb.Tests;

public sealed class ServerMessageTests
{
    public static TheoryData<string> ForwardedMessages => [.. ForwardedMessageBytes.Keys];

    private static readonly Dictionary<string, byte[]> ForwardedMessageBytes = new()
    {
        ["Bell"] = ServerBytes.Bell,
        ["SetColourMapEntries"] = ServerBytes.SetColourMapEntries(),
        ["EndOfContinuousUpdates"] = ServerBytes.EndOfContinuousUpdates,
        ["Fence"] = ServerBytes.Fence(),
        ["empty Fence"] = ServerBytes.Fence(payloadLength: 0),
        ["FramebufferUpdate with no rectangles"] = ServerBytes.Update(),
    };

    [Theory]
    [MemberData(nameof(ForwardedMessages))]
    public void Messages_about_the_picture_pass_unchanged(string message)
    {
        var bytes = ForwardedMessageBytes[message];
        var connection = FilteredConnection.Established().FromServer(bytes);
        Assert.Equal(bytes, connection.ToViewer);
        Assert.Equal(1, connection.Server.Counters.Forwarded(bytes[0]));
    }

    [Fact]
    public void The_servers_clipboard_never_reaches_a_view_only_viewer()
    {
        var connection = FilteredConnection.Established().FromServer(ServerBytes.ServerCutText("secret"), ServerBytes.Bell);
        Assert.Equal(ServerBytes.Bell, connection.ToViewer);
        Assert.Equal(1, connection.Server.Counters.Dropped(ServerMessage.ServerCutText));
    }

    [Fact]
    public void The_servers_extended_clipboard_never_reaches_a_view_only_viewer()
    {
        var connection = FilteredConnection.Established().FromServer(ServerBytes.ExtendedServerCutText(500), ServerBytes.Bell);
        Assert.Equal(ServerBytes.Bell, connection.ToViewer);
    }

    [Fact]
    public void Power_control_announcements_never_reach_a_view_only_viewer()
    {
        var connection = FilteredConnection.Established().FromServer(ServerBytes.Xvp(), ServerBytes.Bell);
        Assert.Equal(ServerBytes.Bell, connection.ToViewer);
    }

    [Fact]
    public void Clipboard_split_across_many_chunks_is_still_removed()
    {
        var stream = Wire.Concat(ServerBytes.Bell, ServerBytes.ServerCutText("a rather longer secret"), ServerBytes.Bell);
        var connection = FilteredConnection.Established().FromServer(Chunks.OneByteAtATime(stream));
        Assert.Equal(Wire.Concat(ServerBytes.Bell, ServerBytes.Bell), connection.ToViewer);
    }

    [Fact]
    public void An_unknown_message_type_is_refused()
    {
        var connection = FilteredConnection.Established();
        var error = Assert.Throws<RfbProtocolException>(() => connection.FromServer([77]));
        Assert.Equal("unknown server message type 77", error.Message);
    }

    [Fact]
    public void A_fence_payload_over_64_bytes_is_refused()
    {
        var connection = FilteredConnection.Established();
        var error = Assert.Throws<RfbProtocolException>(() => connection.FromServer(ServerBytes.Fence(payloadLength: 65)));
        Assert.Equal("fence payload of 65 bytes; at most 64 are allowed", error.Message);
    }
}

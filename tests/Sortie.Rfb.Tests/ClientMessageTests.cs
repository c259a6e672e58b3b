using Sortie.Rfb.Tests.Support;

namespace Sortie.Rfb.Tests;

public sealed class ClientMessageTests
{
    /// <summary>Every message that carries input or changes the session, by name.</summary>
    public static TheoryData<string> InputMessages => [.. InputMessageBytes.Keys];

    /// <summary>Every message that only shapes the picture the viewer receives, by name.</summary>
    public static TheoryData<string> PictureMessages => [.. PictureMessageBytes.Keys];

    private static readonly Dictionary<string, byte[]> InputMessageBytes = new()
    {
        ["KeyEvent"] = ClientBytes.KeyEvent(),
        ["PointerEvent"] = ClientBytes.PointerEvent(),
        ["ClientCutText"] = ClientBytes.ClientCutText("secret"),
        ["extended ClientCutText"] = ClientBytes.ExtendedClipboard(),
        ["empty ClientCutText"] = ClientBytes.ClientCutText(""),
        ["SetDesktopSize"] = ClientBytes.SetDesktopSize(),
        ["SetDesktopSize with no screens"] = ClientBytes.SetDesktopSize(screens: 0),
        ["XVP"] = ClientBytes.Xvp(),
        ["QEMU extended key event"] = ClientBytes.QemuExtendedKeyEvent(),
        ["QEMU audio enable"] = ClientBytes.QemuAudio(QemuAudioOperation.Enable),
        ["QEMU audio disable"] = ClientBytes.QemuAudio(QemuAudioOperation.Disable),
        ["QEMU audio set format"] = ClientBytes.QemuAudioSetFormat(),
    };

    private static readonly Dictionary<string, byte[]> PictureMessageBytes = new()
    {
        ["SetPixelFormat"] = ClientBytes.SetPixelFormat(PixelFormat.Rgb888),
        ["FramebufferUpdateRequest"] = ClientBytes.UpdateRequest(),
        ["EnableContinuousUpdates"] = ClientBytes.EnableContinuousUpdates(),
        ["Fence"] = ClientBytes.Fence(),
        ["empty Fence"] = ClientBytes.Fence(payloadLength: 0),
        ["SetEncodings without anything to remove"] = ClientBytes.SetEncodings(Encodings.Tight, Encodings.Raw, Encodings.Cursor),
    };

    [Theory]
    [MemberData(nameof(InputMessages))]
    public void A_view_only_viewers_input_is_dropped(string message)
    {
        var bytes = InputMessageBytes[message];
        var connection = FilteredConnection.Established(ViewerRights.ViewOnly).FromViewer(bytes);
        Assert.Empty(connection.ToServer);
        Assert.Equal(1, connection.Client.Counters.Dropped(bytes[0]));
    }

    [Theory]
    [MemberData(nameof(InputMessages))]
    public void A_full_access_viewers_input_passes_unchanged(string message)
    {
        var bytes = InputMessageBytes[message];
        var connection = FilteredConnection.Established(ViewerRights.Full).FromViewer(bytes);
        Assert.Equal(bytes, connection.ToServer);
        Assert.Equal(1, connection.Client.Counters.Forwarded(bytes[0]));
    }

    [Theory]
    [MemberData(nameof(InputMessages))]
    public void A_shared_full_access_viewer_uses_the_desktop_but_leaves_its_size_and_power_to_the_owner(string message)
    {
        var bytes = InputMessageBytes[message];
        var connection = FilteredConnection.Established(ViewerRights.Control).FromViewer(bytes);
        if (bytes[0] is ClientMessage.SetDesktopSize or ClientMessage.Xvp)
        {
            Assert.Empty(connection.ToServer);
            Assert.Equal(1, connection.Client.Counters.Dropped(bytes[0]));
        }
        else
        {
            Assert.Equal(bytes, connection.ToServer);
        }
    }

    [Theory]
    [MemberData(nameof(PictureMessages))]
    public void A_view_only_viewer_still_shapes_its_own_picture(string message)
    {
        var bytes = PictureMessageBytes[message];
        Assert.Equal(bytes, FilteredConnection.Established(ViewerRights.ViewOnly).FromViewer(bytes).ToServer);
    }

    [Theory]
    [MemberData(nameof(PictureMessages))]
    public void A_full_access_viewer_shapes_its_picture_too(string message)
    {
        var bytes = PictureMessageBytes[message];
        Assert.Equal(bytes, FilteredConnection.Established(ViewerRights.Full).FromViewer(bytes).ToServer);
    }

    [Fact]
    public void An_update_request_is_recorded_for_the_server_filter()
    {
        var connection = FilteredConnection.Established();
        Assert.False(connection.State.UpdateRequested);
        Assert.True(connection.FromViewer(ClientBytes.UpdateRequest()).State.UpdateRequested);
    }

    [Fact]
    public void The_counters_add_up_what_was_forwarded_and_dropped()
    {
        var connection = new FilteredConnection().FromViewer(ClientBytes.Handshake38, ClientBytes.KeyEvent(), ClientBytes.UpdateRequest());
        Assert.Equal(ClientBytes.Handshake38.Length + ClientBytes.UpdateRequest().Length, connection.Client.Counters.ForwardedBytes);
        Assert.Equal(ClientBytes.KeyEvent().Length, connection.Client.Counters.DroppedBytes);
        Assert.Equal(1, connection.Client.Counters.ForwardedMessages);
        Assert.Equal(1, connection.Client.Counters.DroppedMessages);
    }

    [Fact]
    public void A_dropped_message_leaves_the_next_one_intact()
    {
        var connection = FilteredConnection.Established().FromViewer(
            Wire.Concat(ClientBytes.KeyEvent(), ClientBytes.ClientCutText("secret"), ClientBytes.UpdateRequest(incremental: true)));
        Assert.Equal(ClientBytes.UpdateRequest(incremental: true), connection.ToServer);
    }

    [Fact]
    public void Clipboard_text_flows_on_before_the_message_is_complete()
    {
        var message = ClientBytes.ClientCutText("0123456789");
        var connection = FilteredConnection.Established(ViewerRights.Full).FromViewer(message[..12]);
        Assert.Equal(message[..12], connection.ToServer);
    }

    [Fact]
    public void An_extended_clipboard_length_counts_by_its_size()
    {
        var message = Wire.Concat(ClientBytes.ExtendedClipboard(payloadLength: 300), ClientBytes.KeyEvent());
        Assert.Equal(message, FilteredConnection.Established(ViewerRights.Full).FromViewer(message).ToServer);
    }

    [Fact]
    public void Clipboard_up_to_the_limit_is_accepted()
    {
        var connection = new FilteredConnection(ViewerRights.Full, new ClientFilterOptions { MaxClipboardBytes = 10 });
        connection.FromViewer(ClientBytes.Handshake38, ClientBytes.ClientCutText("0123456789"));
        Assert.Equal(1, connection.Client.Counters.Forwarded(ClientMessage.ClientCutText));
    }

    [Theory]
    [InlineData(ViewerRights.Full)]
    [InlineData(ViewerRights.ViewOnly)]
    public void Clipboard_over_the_limit_is_refused(ViewerRights rights)
    {
        var connection = new FilteredConnection(rights, new ClientFilterOptions { MaxClipboardBytes = 10 }).FromViewer(ClientBytes.Handshake38);
        var error = Assert.Throws<RfbProtocolException>(() => connection.FromViewer(ClientBytes.ExtendedClipboard(payloadLength: 11)));
        Assert.Equal("clipboard of 11 bytes; at most 10 are accepted", error.Message);
    }

    [Fact]
    public void The_clipboard_limit_is_16_MiB_by_default()
    {
        var connection = FilteredConnection.Established(ViewerRights.Full);
        var header = new Wire().U8(ClientMessage.ClientCutText).Pad(3).S32(int.MinValue).ToArray();
        var error = Assert.Throws<RfbProtocolException>(() => connection.FromViewer(header));
        Assert.Equal("clipboard of 2147483648 bytes; at most 16777216 are accepted", error.Message);
    }

    [Fact]
    public void An_unknown_message_type_is_refused()
    {
        var connection = FilteredConnection.Established();
        var error = Assert.Throws<RfbProtocolException>(() => connection.FromViewer([77]));
        Assert.Equal("unknown client message type 77", error.Message);
    }

    [Fact]
    public void An_unknown_QEMU_subtype_is_refused()
    {
        var connection = FilteredConnection.Established(ViewerRights.Full);
        var error = Assert.Throws<RfbProtocolException>(() => connection.FromViewer([ClientMessage.Qemu, 2]));
        Assert.Equal("unknown QEMU client message subtype 2", error.Message);
    }

    [Fact]
    public void An_unknown_QEMU_audio_operation_is_refused()
    {
        var connection = FilteredConnection.Established(ViewerRights.Full);
        var error = Assert.Throws<RfbProtocolException>(() => connection.FromViewer(ClientBytes.QemuAudio(3)));
        Assert.Equal("unknown QEMU audio operation 3", error.Message);
    }

    [Fact]
    public void A_fence_payload_over_64_bytes_is_refused()
    {
        var connection = FilteredConnection.Established();
        var error = Assert.Throws<RfbProtocolException>(() => connection.FromViewer(ClientBytes.Fence(payloadLength: 65)));
        Assert.Equal("fence payload of 65 bytes; at most 64 are allowed", error.Message);
    }

    [Fact]
    public void An_encoding_list_over_1024_entries_is_refused()
    {
        var connection = FilteredConnection.Established();
        var error = Assert.Throws<RfbProtocolException>(() => connection.FromViewer(ClientBytes.SetEncodings(new int[1025])));
        Assert.Equal("SetEncodings lists 1025 encodings; at most 1024 are accepted", error.Message);
    }

    [Fact]
    public void A_filter_that_refused_its_stream_takes_no_more()
    {
        var connection = FilteredConnection.Established();
        Assert.Throws<RfbProtocolException>(() => connection.FromViewer([77]));
        Assert.Throws<InvalidOperationException>(() => connection.FromViewer(ClientBytes.UpdateRequest()));
    }

    [Theory]
    [InlineData(ViewerRights.Full)]
    [InlineData(ViewerRights.ViewOnly)]
    public void Any_chunking_of_a_viewers_stream_gives_the_same_output(ViewerRights rights)
    {
        var session = ClientBytes.EveryMessage;
        var whole = new FilteredConnection(rights).FromViewer(session).ToServer;
        Assert.Equal(whole, new FilteredConnection(rights).FromViewer(Chunks.OneByteAtATime(session)).ToServer);
        var random = new Random(1234);
        for (var i = 0; i < 50; i++)
            Assert.Equal(whole, new FilteredConnection(rights).FromViewer(Chunks.Random(session, random)).ToServer);
    }
}

using Sortie.Rfb.Tests.Support;

namespace Sortie.Rfb.Tests;

public sealed class ServerRectangleTests
{
    private static readonly PixelFormat Rgb888 = PixelFormat.Rgb888;
    private static readonly PixelFormat Rgb565 = new(16, 16, false, true, 31, 63, 31, 11, 5, 0);

    /// <summary>One sample rectangle per case, with the pixel format it is encoded in.</summary>
    private static readonly Dictionary<string, (byte[] Rectangle, PixelFormat Format)> Samples = new()
    {
        ["Raw"] = (ServerBytes.Raw(7, 5, Rgb888), Rgb888),
        ["Raw in 16 bits"] = (ServerBytes.Raw(7, 5, Rgb565), Rgb565),
        ["Raw of no pixels"] = (ServerBytes.Raw(0, 5, Rgb888), Rgb888),
        ["CopyRect"] = (ServerBytes.CopyRect(), Rgb888),
        ["ZRLE"] = (ServerBytes.Zrle(), Rgb888),
        ["Tight fill"] = (ServerBytes.TightFill(Rgb888), Rgb888),
        ["Tight fill in 16 bits"] = (ServerBytes.TightFill(Rgb565), Rgb565),
        ["Tight JPEG"] = (ServerBytes.TightJpeg(), Rgb888),
        ["Tight JPEG with a 3-byte length"] = (ServerBytes.TightJpeg(20000), Rgb888),
        ["Tight copy"] = (ServerBytes.TightCopy(16, 16, 100), Rgb888),
        ["Tight copy with a 2-byte length"] = (ServerBytes.TightCopy(64, 64, 5000), Rgb888),
        ["Tight copy with a 3-byte length"] = (ServerBytes.TightCopy(200, 200, 70000), Rgb888),
        ["Tight copy under 12 bytes, sent uncompressed"] = (ServerBytes.TightCopy(3, 1), Rgb888),
        ["Tight copy of exactly 12 bytes, compressed"] = (ServerBytes.TightCopy(4, 1, 9), Rgb888),
        ["Tight explicit copy filter"] = (ServerBytes.TightFiltered(16, 16, 0, 100), Rgb888),
        ["Tight gradient filter"] = (ServerBytes.TightFiltered(16, 16, 2, 100), Rgb888),
        ["Tight gradient under 12 bytes"] = (ServerBytes.TightFiltered(1, 3, 2), Rgb888),
        ["Tight two-colour palette"] = (ServerBytes.TightPalette(50, 20, 2, 40), Rgb888),
        ["Tight two-colour palette under 12 bytes"] = (ServerBytes.TightPalette(9, 5, 2), Rgb888),
        ["Tight 200-colour palette"] = (ServerBytes.TightPalette(50, 20, 200, 400), Rgb888),
        ["Tight palette under 12 bytes"] = (ServerBytes.TightPalette(11, 1, 5), Rgb888),
        ["Cursor"] = (ServerBytes.Cursor(17, 9, Rgb888), Rgb888),
        ["Cursor in 16 bits"] = (ServerBytes.Cursor(17, 9, Rgb565), Rgb565),
        ["VMware classic cursor"] = (ServerBytes.VMwareCursor(8, 8, 0, Rgb565), Rgb565),
        ["VMware alpha cursor"] = (ServerBytes.VMwareCursor(8, 8, 1, Rgb888), Rgb888),
        ["DesktopName"] = (ServerBytes.DesktopName("a desktop"), Rgb888),
        ["DesktopSize"] = (ServerBytes.DesktopSize(), Rgb888),
        ["ExtendedDesktopSize"] = (ServerBytes.ExtendedDesktopSize(), Rgb888),
        ["ExtendedDesktopSize with no screens"] = (ServerBytes.ExtendedDesktopSize(screens: 0), Rgb888),
    };

    /// <summary>The sample that stands for each encoding a view-only viewer may receive.</summary>
    private static readonly Dictionary<int, string> SampleOfEncoding = new()
    {
        [Encodings.Raw] = "Raw",
        [Encodings.CopyRect] = "CopyRect",
        [Encodings.Zrle] = "ZRLE",
        [Encodings.Tight] = "Tight copy",
        [Encodings.DesktopSize] = "DesktopSize",
        [Encodings.Cursor] = "Cursor",
        [Encodings.VMwareCursor] = "VMware alpha cursor",
        [Encodings.DesktopName] = "DesktopName",
        [Encodings.ExtendedDesktopSize] = "ExtendedDesktopSize",
    };

    public static TheoryData<string> Cases => [.. Samples.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_rectangle_passes_unchanged_and_the_stream_stays_in_step(string sample)
    {
        var (rectangle, format) = Samples[sample];
        var update = ServerBytes.Update(rectangle, rectangle);
        // Were the rectangle's length misjudged, the clipboard after it would not be recognised and removed.
        var connection = FilteredConnection.Established(format: format)
            .FromServer(Wire.Concat(update, ServerBytes.ServerCutText("secret"), ServerBytes.Bell));
        Assert.Equal(Wire.Concat(update, ServerBytes.Bell), connection.ToViewer);
    }

    [Fact]
    public void Every_rectangle_encoding_a_view_only_viewer_may_receive_is_framed()
    {
        foreach (var encoding in EncodingPolicy.FramedRectangleEncodings.Where(e => e != Encodings.LastRect))
        {
            Assert.True(SampleOfEncoding.TryGetValue(encoding, out var sample), $"no sample rectangle for encoding {encoding}");
            Each_rectangle_passes_unchanged_and_the_stream_stays_in_step(sample);
        }
    }

    [Fact]
    public void LastRect_ends_an_update_that_announced_more_rectangles()
    {
        var update = ServerBytes.UncountedUpdate(ServerBytes.Raw(2, 2, Rgb888), ServerBytes.CopyRect());
        var connection = FilteredConnection.Established().FromServer(update, ServerBytes.ServerCutText("secret"), ServerBytes.Bell);
        Assert.Equal(Wire.Concat(update, ServerBytes.Bell), connection.ToViewer);
    }

    [Fact]
    public void Pixel_data_flows_on_before_the_rectangle_is_complete()
    {
        var update = ServerBytes.Update(ServerBytes.Raw(100, 100, Rgb888));
        var connection = FilteredConnection.Established().FromServer(update[..20000]);
        Assert.Equal(update[..20000], connection.ToViewer);
    }

    [Theory]
    [InlineData(Encodings.Hextile)]
    [InlineData(Encodings.Rre)]
    [InlineData(Encodings.Trle)]
    [InlineData(Encodings.TightPng)]
    [InlineData(Encodings.QemuExtendedKeyEvent)]
    [InlineData(Encodings.CursorWithAlpha)]
    [InlineData(Encodings.ExtendedClipboard)]
    public void Encodings_a_view_only_viewer_cannot_have_asked_for_are_refused(int encoding)
    {
        var connection = FilteredConnection.Established();
        var update = ServerBytes.Update(ServerBytes.Rectangle(4, 4, encoding).ToArray());
        var error = Assert.Throws<RfbProtocolException>(() => connection.FromServer(update));
        Assert.Equal($"rectangle encoding {encoding} cannot be framed for a view-only viewer", error.Message);
    }

    [Theory]
    [InlineData(0xA0)]
    [InlineData(0xB0)]
    [InlineData(0xF3)]
    public void Tight_compression_other_than_fill_JPEG_and_basic_is_refused(byte control)
    {
        var connection = FilteredConnection.Established();
        var update = ServerBytes.Update(ServerBytes.Rectangle(4, 4, Encodings.Tight).U8(control).ToArray());
        var error = Assert.Throws<RfbProtocolException>(() => connection.FromServer(update));
        Assert.Equal($"invalid Tight compression control 0x{control:X2}", error.Message);
    }

    [Fact]
    public void An_unknown_Tight_filter_is_refused()
    {
        var connection = FilteredConnection.Established();
        var update = ServerBytes.Update(ServerBytes.Rectangle(4, 4, Encodings.Tight).U8(0x40).U8(3).ToArray());
        var error = Assert.Throws<RfbProtocolException>(() => connection.FromServer(update));
        Assert.Equal("unknown Tight filter 3", error.Message);
    }

    [Fact]
    public void An_unknown_VMware_cursor_type_is_refused()
    {
        var connection = FilteredConnection.Established();
        var update = ServerBytes.Update(ServerBytes.Rectangle(4, 4, Encodings.VMwareCursor).U8(2).U8(0).ToArray());
        var error = Assert.Throws<RfbProtocolException>(() => connection.FromServer(update));
        Assert.Equal("unknown VMware cursor type 2", error.Message);
    }

    [Fact]
    public void Any_chunking_of_a_servers_stream_gives_the_same_output()
    {
        var stream = Wire.Concat(
            ServerBytes.Handshake38,
            ServerBytes.EndOfContinuousUpdates,
            ServerBytes.Update([.. Samples.Values.Where(s => s.Format == Rgb888).Select(s => s.Rectangle)]),
            ServerBytes.ServerCutText("secret"),
            ServerBytes.UncountedUpdate(ServerBytes.TightPalette(50, 20, 2, 40), ServerBytes.Cursor(3, 3, Rgb888)),
            ServerBytes.ExtendedServerCutText(),
            ServerBytes.Fence(),
            ServerBytes.Bell);

        var whole = Through(Chunks.Whole(stream));
        Assert.Equal(stream.Length - ServerBytes.ServerCutText("secret").Length - ServerBytes.ExtendedServerCutText().Length, whole.Length);
        Assert.Equal(whole, Through(Chunks.OneByteAtATime(stream)));
        var random = new Random(5678);
        for (var i = 0; i < 50; i++) Assert.Equal(whole, Through(Chunks.Random(stream, random, maxLength: 3000)));
    }

    private static byte[] Through(byte[][] chunks) =>
        new FilteredConnection().FromViewer(ClientBytes.Handshake38).FromServer(chunks).ToViewer;
}

using Sortie.Rfb.Tests.Support;
using Sortie.Rfb.Testing;

namespace Sortie.Rfb.Tests;

/// <summary>
/// The test client's ZRLE decoding against a real TigerVNC server (Xvnc): what it decodes must equal,
/// pixel for pixel, what a Raw client sees of the same screen. Hand-built tiles: <see cref="ZrleTileTests"/>.
/// </summary>
public sealed class ZrleDecodingTests
{
    private const uint White = 0xFFFFFF, Black = 0x000000, Yellow = 0xFFFF00;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ZRLE_decodes_to_the_Raw_picture_at_first_and_after_the_desktop_changes()
    {
        await using var xvnc = await XvncServer.StartAsync(320, 400);
        var change = Path.Combine(xvnc.Folder, "change");
        var redrawn = Path.Combine(xvnc.Folder, "redrawn");
        var done = Path.Combine(xvnc.Folder, "done");
        xvnc.RunTk(Desktop.Picture);
        xvnc.RunTk(Desktop.Patterns(change, redrawn));

        // Both in noVNC's format, which has 3-byte CPIXELs; ZRLE's client takes CopyRect too, as a viewer would.
        await using var raw = await xvnc.ConnectAsync();
        await raw.SetPixelFormatAsync(PixelFormat.Rgb888, Ct);
        await raw.SetEncodingsAsync([Encodings.Raw], Ct);
        await using var zrle = await xvnc.ConnectAsync();
        await zrle.SetPixelFormatAsync(PixelFormat.Rgb888, Ct);
        await zrle.SetEncodingsAsync([Encodings.Zrle, Encodings.CopyRect], Ct);

        // The whole screen, once both windows are drawn.
        await raw.WaitForPictureAsync(picture => picture[30, 30] == Desktop.Red && (picture[0, 100], picture[1, 100]) == (White, Black), Timeout, Ct);
        Assert.True(await Eventually.TrueAsync(() => SameFullPictureAsync(zrle, raw), Timeout),
            "The ZRLE client's picture never matched the Raw client's.");
        Assert.True(zrle.ZrleRectangles > 0, "no ZRLE rectangle was decoded");
        Log("full updates", zrle);

        // Changes on the same zlib stream: the patterns in other colours, column by column, and a terminal
        // scrolling below them.
        var before = zrle.ZrleRectangles;
        await File.WriteAllTextAsync(change, "", Ct);
        xvnc.Run("xterm", Desktop.ScrollingTerminal(done, y: 240));
        await zrle.WaitForPictureAsync(picture => File.Exists(redrawn) && File.Exists(done) && picture[0, 100] == Yellow, Timeout, Ct);
        Assert.True(await Eventually.TrueAsync(() => SameUpdatedPictureAsync(zrle, raw), Timeout),
            "After the changes, the ZRLE client's picture never matched the Raw client's.");
        Assert.True(zrle.ZrleRectangles > before, "no ZRLE rectangle was decoded after the changes");
        // The columns redrawn one by one bring palettes: TigerVNC packs up to 16 colours and run-length
        // encodes up to 127 (it never sends plain RLE, which only ZrleTileTests covers).
        Assert.Contains(zrle.ZrleTiles.Keys, subencoding => subencoding is >= 2 and <= 16);
        Assert.Contains(zrle.ZrleTiles.Keys, subencoding => subencoding >= 130);
        Log("with incremental updates", zrle);
    }

    /// <summary>Both clients take the whole screen afresh and compare.</summary>
    private static async Task<bool> SameFullPictureAsync(RfbClient zrle, RfbClient raw)
    {
        await zrle.RequestUpdateAsync(incremental: false, Ct);
        await zrle.WaitForUpdateAsync(Timeout, Ct);
        await raw.RequestUpdateAsync(incremental: false, Ct);
        await raw.WaitForUpdateAsync(Timeout, Ct);
        return zrle.Framebuffer.Checksum() == raw.Framebuffer.Checksum();
    }

    /// <summary>
    /// The ZRLE client only catches up with what changed (the 1-pixel full request makes the server
    /// answer even if nothing did); the Raw client takes the whole screen for reference.
    /// </summary>
    private static async Task<bool> SameUpdatedPictureAsync(RfbClient zrle, RfbClient raw)
    {
        await zrle.RequestUpdateAsync(incremental: true, Ct);
        await zrle.RequestUpdateAsync(incremental: false, 0, 0, 1, 1, Ct);
        await zrle.WaitForUpdateAsync(Timeout, Ct);
        await raw.RequestUpdateAsync(incremental: false, Ct);
        await raw.WaitForUpdateAsync(Timeout, Ct);
        return zrle.Framebuffer.Checksum() == raw.Framebuffer.Checksum();
    }

    /// <summary>Which subencodings the server chose, for whoever reads the test's output.</summary>
    private static void Log(string stage, RfbClient zrle) =>
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{stage}: {zrle.ZrleRectangles} ZRLE rectangles; tiles by subencoding: {string.Join(", ", zrle.ZrleTiles.OrderBy(t => t.Key).Select(t => $"{t.Key}: {t.Value}"))}");
}

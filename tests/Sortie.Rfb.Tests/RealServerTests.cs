using Sortie.Rfb.Tests.Support;
using Sortie.Rfb.Testing;

namespace Sortie.Rfb.Tests;

/// <summary>Against a real TigerVNC server (Xvnc), started for each test.</summary>
public sealed class RealServerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_client_completes_the_handshake_and_sees_what_the_desktop_shows()
    {
        await using var xvnc = await XvncServer.StartAsync();
        xvnc.RunTk(Desktop.Picture);
        await using var client = await xvnc.ConnectAsync();
        Assert.Equal(RfbBanner.Version38, client.ServerVersion);
        Assert.Equal((320, 240), (client.Framebuffer.Width, client.Framebuffer.Height));

        await client.SetPixelFormatAsync(PixelFormat.Rgb888, Ct);
        await client.SetEncodingsAsync([Encodings.Raw], Ct);
        await client.WaitForPictureAsync(picture => picture[30, 30] == Desktop.Red && picture[100, 30] == Desktop.Blue, Timeout, Ct);
        Assert.True(client.Framebuffer.CountDistinctColours(0, 70, 320, 30) > 200);
    }

    [Fact]
    public async Task Raw_and_CopyRect_pass_the_view_only_filter_unchanged_and_decode_to_the_desktop()
    {
        await using var xvnc = await XvncServer.StartAsync();
        var done = Path.Combine(xvnc.Folder, "done");
        xvnc.RunTk(Desktop.Picture);
        await using var relay = await FilteringRelay.StartAsync(xvnc, ViewerRights.ViewOnly);
        await using var viewer = new RfbClient(relay.ViewerStream);
        await viewer.HandshakeAsync(Ct);
        await viewer.SetPixelFormatAsync(PixelFormat.Rgb888, Ct);
        await viewer.SetEncodingsAsync([Encodings.CopyRect, Encodings.Raw, Encodings.DesktopSize, Encodings.LastRect], Ct);
        await viewer.WaitForPictureAsync(picture => picture[30, 30] == Desktop.Red, Timeout, Ct);

        // Follow a scrolling terminal update by update, so that the scrolling arrives as CopyRect.
        xvnc.Run("xterm", Desktop.ScrollingTerminal(done));
        await viewer.WaitForPictureAsync(_ => File.Exists(done), Timeout, Ct);
        await using var reference = await xvnc.ConnectAsync();
        await reference.SetPixelFormatAsync(PixelFormat.Rgb888, Ct);
        await reference.SetEncodingsAsync([Encodings.Raw], Ct);
        Assert.True(await Eventually.TrueAsync(() => SamePictureAsync(viewer, reference), Timeout), "The view-only viewer's picture never matched the desktop.");

        await AssertForwardedUnchangedAsync(relay);
        Assert.True(relay.ServerFilter!.Counters.Rectangles(Encodings.CopyRect) > 0, "no CopyRect was sent");
        Assert.True(relay.ServerFilter.Counters.Rectangles(Encodings.Raw) > 0, "no Raw rectangle was sent");
        AssertAnyChunkingGivesTheSameOutput(relay);
    }

    public static TheoryData<string> EncodingLists => [.. NoVncListsPreferring.Keys];

    /// <summary>noVNC's own encoding list, reordered so that one encoding is preferred.</summary>
    private static readonly Dictionary<string, int[]> NoVncListsPreferring = new()
    {
        ["Tight"] = Prefer(Encodings.Tight),
        ["Tight without JPEG"] = [.. Prefer(Encodings.Tight).Where(e => e is < Encodings.JpegQualityLevel0 or > Encodings.JpegQualityLevel9)],
        ["ZRLE"] = Prefer(Encodings.Zrle),
    };

    [Theory]
    [MemberData(nameof(EncodingLists))]
    public async Task A_real_servers_stream_passes_the_view_only_filter_unchanged(string list)
    {
        var encodings = NoVncListsPreferring[list];
        await using var xvnc = await XvncServer.StartAsync();
        var done = Path.Combine(xvnc.Folder, "done");
        xvnc.RunTk(Desktop.Picture);
        xvnc.Run("xterm", Desktop.ScrollingTerminal(done));
        await using var relay = await FilteringRelay.StartAsync(xvnc, ViewerRights.ViewOnly);
        await using var viewer = new RfbClient(relay.ViewerStream);
        await viewer.HandshakeAsync(Ct);
        await viewer.SetPixelFormatAsync(PixelFormat.Rgb888, Ct);
        await viewer.SetEncodingsAsync(encodings, Ct);

        // The stream is recorded, not decoded (this client cannot decode Tight), so it only keeps asking and takes what comes.
        await viewer.RequestUpdateAsync(incremental: false, Ct);
        using var deadline = new CancellationTokenSource(Timeout);
        while (!File.Exists(done) && !deadline.IsCancellationRequested)
        {
            await viewer.ReadRawUntilQuietAsync(TimeSpan.FromMilliseconds(100), Ct);
            await viewer.RequestUpdateAsync(incremental: true, Ct);
        }
        await viewer.RequestUpdateAsync(incremental: false, Ct);
        await viewer.ReadRawUntilQuietAsync(TimeSpan.FromMilliseconds(500), Ct);

        await AssertForwardedUnchangedAsync(relay);
        Assert.True(relay.ServerFilter!.Counters.Rectangles(encodings[0]) > 0, $"no rectangle in encoding {encodings[0]} was sent");
        AssertAnyChunkingGivesTheSameOutput(relay);
    }

    [Fact]
    public async Task The_desktops_clipboard_reaches_a_direct_viewer_but_never_a_view_only_one()
    {
        await using var xvnc = await XvncServer.StartAsync();
        await using var direct = await xvnc.ConnectAsync();
        await using var relay = await FilteringRelay.StartAsync(xvnc, ViewerRights.ViewOnly);
        await using var viewOnly = new RfbClient(relay.ViewerStream);
        await viewOnly.HandshakeAsync(Ct);
        foreach (var client in new[] { direct, viewOnly })
        {
            await client.SetEncodingsAsync([Encodings.Raw], Ct);
            await client.RequestUpdateAsync(incremental: false, Ct);
            await client.WaitForUpdateAsync(Timeout, Ct);
        }

        xvnc.RunTk(Desktop.CopyToClipboard("copied in the desktop"));
        await direct.WaitUntilAsync(() => direct.ClipboardTexts.Contains("copied in the desktop"), Timeout, Ct);
        Assert.True(await Eventually.TrueAsync(() => relay.ServerFilter!.Counters.Dropped(ServerMessage.ServerCutText) > 0, Timeout),
            "The server never sent the clipboard to the relay.");

        // A bell rung after the clipboard was sent arrives after it: by then any clipboard would have come through.
        xvnc.Run("xkbbell");
        await viewOnly.WaitUntilAsync(() => viewOnly.Bells > 0, Timeout, Ct);
        Assert.Empty(viewOnly.ClipboardTexts);
        Assert.Equal(0, viewOnly.ExtendedClipboardMessages);
        relay.AssertHealthy();
    }

    [Fact]
    public async Task A_full_access_viewers_clipboard_reaches_the_desktop_through_the_filter()
    {
        await using var xvnc = await XvncServer.StartAsync();
        var seen = Path.Combine(xvnc.Folder, "clipboard-seen.txt");
        xvnc.RunTk(Desktop.WatchClipboard(seen));
        await using var relay = await FilteringRelay.StartAsync(xvnc, ViewerRights.Full);
        await using var viewer = new RfbClient(relay.ViewerStream);
        await viewer.HandshakeAsync(Ct);

        await viewer.SendClipboardAsync("from a full-access viewer", Ct);
        Assert.True(await Eventually.TrueAsync(() => File.Exists(seen) && File.ReadAllText(seen).Contains("from a full-access viewer"), Timeout),
            "The desktop's clipboard never held the viewer's text.");
        relay.AssertHealthy();
    }

    [Fact]
    public async Task A_view_only_viewers_input_never_reaches_the_server()
    {
        await using var xvnc = await XvncServer.StartAsync();
        await using var relay = await FilteringRelay.StartAsync(xvnc, ViewerRights.ViewOnly);
        await using var viewer = new RfbClient(relay.ViewerStream);
        await viewer.HandshakeAsync(Ct);
        // Raw for this client to decode; ExtendedDesktopSize so that a resize would be announced.
        await viewer.SetEncodingsAsync([Encodings.Raw, Encodings.ExtendedDesktopSize], Ct);
        await viewer.SendKeyAsync(0x61, down: true, Ct);
        await viewer.SendKeyAsync(0x61, down: false, Ct);
        await viewer.SendPointerAsync(100, 100, buttons: 1, Ct);
        await viewer.SendClipboardAsync("from a view-only viewer", Ct);
        await relay.ViewerStream.WriteAsync(Wire.Concat(ClientBytes.SetDesktopSize(200, 100), ClientBytes.Xvp(), ClientBytes.QemuExtendedKeyEvent()), Ct);

        // The server still answers, at the size it had: the stream stayed in step and nothing resized it.
        await viewer.WaitForPictureAsync(_ => true, Timeout, Ct);
        Assert.Equal((320, 240), (viewer.Framebuffer.Width, viewer.Framebuffer.Height));
        var reread = new FilteredConnection(ViewerRights.Full).FromViewer(relay.ServerReceived);
        Assert.Equal(0, reread.Client.Counters.Forwarded(ClientMessage.KeyEvent));
        Assert.Equal(0, reread.Client.Counters.Forwarded(ClientMessage.PointerEvent));
        Assert.Equal(0, reread.Client.Counters.Forwarded(ClientMessage.ClientCutText));
        Assert.Equal(0, reread.Client.Counters.Forwarded(ClientMessage.SetDesktopSize));
        Assert.Equal(0, reread.Client.Counters.Forwarded(ClientMessage.Xvp));
        Assert.Equal(0, reread.Client.Counters.Forwarded(ClientMessage.Qemu));
        Assert.Equal(7, relay.ClientFilter.Counters.DroppedMessages);
        relay.AssertHealthy();
    }

    private static int[] Prefer(int encoding) => [encoding, .. ClientBytes.NoVncEncodings.Where(e => e != encoding)];

    /// <summary>
    /// Brings the viewer up to date with what changed (the 1-pixel full request makes the server
    /// answer even if nothing did), takes a complete fresh picture for reference, and compares.
    /// </summary>
    private static async Task<bool> SamePictureAsync(RfbClient viewer, RfbClient reference)
    {
        await viewer.RequestUpdateAsync(incremental: true, Ct);
        await viewer.RequestUpdateAsync(incremental: false, 0, 0, 1, 1, Ct);
        await viewer.WaitForUpdateAsync(Timeout, Ct);
        await reference.RequestUpdateAsync(incremental: false, Ct);
        await reference.WaitForUpdateAsync(Timeout, Ct);
        return viewer.Framebuffer.Checksum() == reference.Framebuffer.Checksum();
    }

    /// <summary>Once the relay has caught up, the view-only viewer received exactly what the server sent.</summary>
    private static async Task AssertForwardedUnchangedAsync(FilteringRelay relay)
    {
        Assert.True(await Eventually.TrueAsync(() => relay.ViewerReceived.Length == relay.ServerSent.Length, Timeout), "The relay never forwarded everything.");
        relay.AssertHealthy();
        Assert.Equal(relay.ServerSent, relay.ViewerReceived);
    }

    /// <summary>The recorded session, replayed through fresh filters in random chunks, gives the same output.</summary>
    private static void AssertAnyChunkingGivesTheSameOutput(FilteringRelay relay)
    {
        var viewerSent = relay.ViewerSent;
        var serverSent = relay.ServerSent;
        var random = new Random(42);
        for (var i = 0; i < 20; i++)
        {
            var replay = new FilteredConnection(ViewerRights.ViewOnly).FromViewer(Chunks.Random(viewerSent, random, maxLength: 100));
            Assert.Equal(relay.ServerReceived, replay.ToServer);
            Assert.Equal(serverSent, replay.FromServer(Chunks.Random(serverSent, random, maxLength: 5000)).ToViewer);
        }
    }
}

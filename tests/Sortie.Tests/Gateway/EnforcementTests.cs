using System.Diagnostics;
using System.Net.WebSockets;
using Sortie.Apps;
using Sortie.Data;
using Sortie.Rfb;
using Sortie.Sessions;
using Sortie.Rfb.Testing;

namespace Sortie.Tests.Gateway;

/// <summary>
/// Permissions hold on the wire: raw RFB clients (not a browser that chooses to behave) connect through
/// the gateway to a real sandboxed Xvnc, and what a view-only viewer sends never reaches the desktop.
/// </summary>
public sealed class EnforcementTests(SortieServer server) : IClassFixture<SortieServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    /// <summary>How long a desktop is given to react to input that should have no effect.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);
    /// <summary>How long a desktop's picture must stay the same to count as settled.</summary>
    private static readonly TimeSpan Stable = TimeSpan.FromSeconds(2);

    /// <summary>A Tk app that copies /home/sortie/copy to the desktop's clipboard, and logs every clipboard value to /home/sortie/seen.</summary>
    private const string ClipboardApp = """
        cat > /tmp/clip.tcl <<'TCL'
        wm geometry . 120x40+0+0
        set last ""
        proc poll {} {
            global last
            if {[file exists /home/sortie/copy]} {
                set f [open /home/sortie/copy]; set text [read $f]; close $f
                file delete /home/sortie/copy
                clipboard clear; clipboard append $text
            }
            if {![catch {clipboard get} text] && $text ne $last} {
                set last $text
                set out [open /home/sortie/seen a]; puts $out $text; close $out
            }
            after 50 poll
        }
        poll
        TCL
        exec wish /tmp/clip.tcl
        """;

    private async Task<(ApiClient Owner, SessionDto Session, ApiClient ViewOnly, ApiClient FullAccess)> SharedAsync(string app = "desktop")
    {
        var owner = await server.NewUserAsync();
        var session = await owner.LaunchAsync(app, 320, 240);
        var viewOnly = await server.NewUserAsync();
        var fullAccess = await server.NewUserAsync();
        await owner.InviteAsync(session.Id, viewOnly.User.Username, SharePermission.ReadOnly);
        await owner.InviteAsync(session.Id, fullAccess.User.Username, SharePermission.ReadWrite);
        return (owner, session, viewOnly, fullAccess);
    }

    private async Task EnsureClipboardAppAsync()
    {
        using var admin = await server.AdminAsync();
        if ((await admin.GetAsync<List<AppDto>>("/api/apps")).Any(a => a.Name == "clipboard")) return;
        var created = await admin.PostAsync("/api/apps", new AppRequest("clipboard", LaunchType.Container, StreamProtocol.Vnc, Command: ClipboardApp));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    /// <summary>Types a line and right-clicks the desktop's empty corner (which opens openbox's menu).</summary>
    private static async Task TypeAndClickAsync(RfbClient viewer, string text)
    {
        foreach (var c in text + "\r")
        {
            var keysym = c == '\r' ? 0xff0du : c;
            await viewer.SendKeyAsync(keysym, down: true);
            await viewer.SendKeyAsync(keysym, down: false);
        }
        await viewer.SendPointerAsync(300, 220, buttons: 0);
        await viewer.SendPointerAsync(300, 220, buttons: 4);
        await viewer.SendPointerAsync(300, 220, buttons: 0);
    }

    /// <summary>The whole screen as the owner sees it now.</summary>
    private static async Task<ulong> ScreenAsync(RfbClient owner)
    {
        await owner.RequestUpdateAsync(incremental: false);
        await owner.WaitForUpdateAsync(Timeout);
        return owner.Framebuffer.Checksum();
    }

    /// <summary>
    /// The desktop once it has settled: the same picture for <see cref="Stable"/>. A new desktop draws its window, then
    /// its terminal's prompt, which on a busy machine can come more than half a second later (the earlier check, two
    /// equal pictures half a second apart, once let a full run compare a screen taken too early).
    /// </summary>
    private static async Task<ulong> SettledScreenAsync(RfbClient owner)
    {
        var last = await ScreenAsync(owner);
        var unchanged = Stopwatch.StartNew();
        for (var waited = Stopwatch.StartNew(); waited.Elapsed < Timeout; )
        {
            await Task.Delay(Settle / 4);
            var now = await ScreenAsync(owner);
            if (now != last) { last = now; unchanged.Restart(); }
            else if (unchanged.Elapsed >= Stable) return now;
        }
        throw new TimeoutException("The desktop never settled.");
    }

    [Fact]
    public async Task A_view_only_viewer_types_and_clicks_and_the_desktop_does_not_change_but_full_access_does()
    {
        var (owner, session, viewOnly, fullAccess) = await SharedAsync();
        await using var ownerView = await owner.ViewAsync(session.Id);
        await ownerView.WaitForPictureAsync(f => f.CountDistinctColours() > 1, Timeout, TestContext.Current.CancellationToken);
        var before = await SettledScreenAsync(ownerView);

        await using (var watcher = await viewOnly.ViewAsync(session.Id))
        {
            await TypeAndClickAsync(watcher, "echo view-only was here");
            await Task.Delay(Settle, TestContext.Current.CancellationToken);
        }
        Assert.Equal(before, await ScreenAsync(ownerView));

        // The positive control: the same input from a full-access viewer changes the desktop.
        await using var helper = await fullAccess.ViewAsync(session.Id);
        await TypeAndClickAsync(helper, "echo full access was here");
        await ownerView.WaitForPictureAsync(f => f.Checksum() != before, Timeout, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_view_only_viewer_cannot_set_the_desktops_clipboard_but_full_access_can()
    {
        await EnsureClipboardAppAsync();
        var (owner, session, viewOnly, fullAccess) = await SharedAsync("clipboard");
        var seen = Path.Combine(server.SessionFolder(session.Id), "home", "seen");
        string Seen() => File.Exists(seen) ? File.ReadAllText(seen) : "";

        await using (var watcher = await viewOnly.ViewAsync(session.Id))
        {
            await watcher.SendClipboardAsync("pasted by a view-only viewer", TestContext.Current.CancellationToken);
            await Task.Delay(Settle, TestContext.Current.CancellationToken);
        }
        await using var helper = await fullAccess.ViewAsync(session.Id);
        await helper.SendClipboardAsync("pasted with full access", TestContext.Current.CancellationToken);

        Assert.True(await Eventually.TrueAsync(() => Seen().Contains("pasted with full access")), $"the desktop saw: {Seen()}");
        Assert.DoesNotContain("view-only", Seen());
    }

    [Fact]
    public async Task The_desktops_clipboard_reaches_a_full_access_viewer_but_never_a_view_only_one()
    {
        await EnsureClipboardAppAsync();
        var (owner, session, viewOnly, fullAccess) = await SharedAsync("clipboard");
        await using var watcher = await viewOnly.ViewAsync(session.Id);
        await using var helper = await fullAccess.ViewAsync(session.Id);
        await using var ownerView = await owner.ViewAsync(session.Id);
        // Each viewer keeps reading (and asking for updates) while the desktop copies.
        await watcher.RequestUpdateAsync(incremental: false, TestContext.Current.CancellationToken);
        // Until a second after the others got the copy: whatever the desktop sends meanwhile reaches the watcher's counts.
        using var stopWatching = new CancellationTokenSource();
        var watching = Task.Run(async () =>
        {
            try { await watcher.WaitUntilAsync(() => false, TimeSpan.FromMinutes(1), stopWatching.Token); }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException) { }
        }, TestContext.Current.CancellationToken);

        // The desktop copies, and copies again if the full-access viewer has not got it (a full run once saw the first
        // copy never reach it, cause unknown); the view-only viewer must never get any of them.
        var copy = Path.Combine(server.SessionFolder(session.Id), "home", "copy");
        for (var attempt = 1; ; attempt++)
        {
            File.WriteAllText(copy, "copied on the desktop");
            try
            {
                await helper.WaitUntilAsync(() => helper.ClipboardTexts.Contains("copied on the desktop"), Timeout / 2, TestContext.Current.CancellationToken);
                break;
            }
            catch (TimeoutException) when (attempt < 3) { }
        }
        await ownerView.WaitUntilAsync(() => ownerView.ClipboardTexts.Contains("copied on the desktop"), Timeout, TestContext.Current.CancellationToken);
        stopWatching.CancelAfter(TimeSpan.FromSeconds(1));
        await watching;
        Assert.Empty(watcher.ClipboardTexts);
        Assert.Equal(0, watcher.ExtendedClipboardMessages);
        Assert.True(watcher.UpdatesReceived > 0, "the view-only viewer saw no picture at all");
    }

    [Fact]
    public async Task A_malformed_message_closes_that_viewer_with_the_reason_and_no_one_else()
    {
        var (owner, session, _, fullAccess) = await SharedAsync();
        await using var ownerView = await owner.ViewAsync(session.Id);
        using var socket = await fullAccess.ConnectAsync(session.Id);
        var stream = WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: false);
        await using (var raw = new RfbClient(stream))
        {
            await raw.HandshakeAsync(TestContext.Current.CancellationToken);
            await socket.SendAsync(new byte[] { 77, 0, 0, 0 }, WebSocketMessageType.Binary, true, CancellationToken.None);

            var close = await socket.WaitForCloseAsync();

            Assert.Equal(4004, close.Code);
            Assert.Contains("unknown client message type 77", close.Reason);
        }
        await ownerView.WaitForPictureAsync(f => f.CountDistinctColours() > 1, Timeout, TestContext.Current.CancellationToken);
        Assert.Equal(SessionStatus.Running, (await owner.GetAsync<SessionDto>($"/api/sessions/{session.Id}")).Status);
    }

    [Fact]
    public async Task Random_streams_from_view_only_viewers_close_only_those_viewers_and_change_nothing()
    {
        var (owner, session, viewOnly, _) = await SharedAsync();
        await using var ownerView = await owner.ViewAsync(session.Id);
        await ownerView.WaitForPictureAsync(f => f.CountDistinctColours() > 1, Timeout, TestContext.Current.CancellationToken);
        var before = await SettledScreenAsync(ownerView);
        var random = new Random(4242);

        for (var attempt = 0; attempt < 30; attempt++)
        {
            using var socket = await viewOnly.ConnectAsync(session.Id);
            var stream = WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: false);
            await using var raw = new RfbClient(stream);
            await raw.HandshakeAsync(TestContext.Current.CancellationToken);
            var noise = new byte[random.Next(1, 4096)];
            random.NextBytes(noise);
            await socket.SendAsync(noise, WebSocketMessageType.Binary, true, CancellationToken.None);
            // Either the gateway refuses the stream (4004) or it found only harmless messages in it.
            try
            {
                var close = await socket.WaitForCloseAsync(TimeSpan.FromMilliseconds(300));
                Assert.Equal(4004, close.Code);
            }
            catch (OperationCanceledException) { }
        }

        await Task.Delay(Settle, TestContext.Current.CancellationToken);
        Assert.Equal(before, await ScreenAsync(ownerView));
        Assert.Equal(SessionStatus.Running, (await owner.GetAsync<SessionDto>($"/api/sessions/{session.Id}")).Status);
    }

    [Fact]
    public async Task Only_the_owner_resizes_the_desktop_a_full_access_viewer_in_a_small_window_does_not()
    {
        var (owner, session, _, fullAccess) = await SharedAsync();
        int[] resizable = [RfbConstants.Encodings.Raw, RfbConstants.Encodings.ExtendedDesktopSize, RfbConstants.Encodings.DesktopSize];

        // A phone-sized window asks for a phone-sized desktop: dropped at the gateway.
        await using (var phone = await fullAccess.ViewAsync(session.Id))
        {
            await phone.SetEncodingsAsync(resizable, TestContext.Current.CancellationToken);
            await phone.SetDesktopSizeAsync(200, 300, TestContext.Current.CancellationToken);
            await phone.RequestUpdateAsync(incremental: false, TestContext.Current.CancellationToken);
            await phone.WaitForUpdateAsync(Timeout, TestContext.Current.CancellationToken);
            await Task.Delay(Settle, TestContext.Current.CancellationToken);
        }
        await using (var fresh = await owner.ViewAsync(session.Id))
            Assert.Equal((320, 240), (fresh.Framebuffer.Width, fresh.Framebuffer.Height));

        // The owner may: the same request from them resizes it for everyone.
        await using (var ownerView = await owner.ViewAsync(session.Id))
        {
            await ownerView.SetEncodingsAsync(resizable, TestContext.Current.CancellationToken);
            await ownerView.SetDesktopSizeAsync(400, 300, TestContext.Current.CancellationToken);
        }
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            await using var fresh = await fullAccess.ViewAsync(session.Id);
            return (fresh.Framebuffer.Width, fresh.Framebuffer.Height) == (400, 300);
        }), "the owner's resize did not take");
    }

    [Fact]
    public async Task A_viewer_that_cannot_follow_a_resize_is_told_the_desktop_was_resized_not_that_the_session_ended()
    {
        var (owner, session, viewOnly, _) = await SharedAsync();
        // A plain RFB client: it never announces DesktopSize, so the VNC server drops it when the desktop changes size.
        using var socket = await viewOnly.ConnectAsync(session.Id);
        await using var plain = new RfbClient(WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: false));
        await plain.HandshakeAsync(TestContext.Current.CancellationToken);
        await plain.SetEncodingsAsync([RfbConstants.Encodings.Raw], TestContext.Current.CancellationToken);
        await plain.RequestUpdateAsync(incremental: false, TestContext.Current.CancellationToken);
        await plain.WaitForUpdateAsync(Timeout, TestContext.Current.CancellationToken);

        await using var ownerView = await owner.ViewAsync(session.Id);
        var close = await socket.ClosedByAsync(async () =>
        {
            await ownerView.SetEncodingsAsync([RfbConstants.Encodings.Raw, RfbConstants.Encodings.ExtendedDesktopSize, RfbConstants.Encodings.DesktopSize]);
            await ownerView.SetDesktopSizeAsync(400, 300);
        }, Timeout);

        Assert.Equal((4005, "desktop resized: this viewer cannot follow a size change"), close.Close);
        Assert.Equal(SessionStatus.Running, (await owner.GetAsync<SessionDto>($"/api/sessions/{session.Id}")).Status);
        // A viewer that can follow it (the owner's) stays connected and gets the new size.
        await ownerView.RequestUpdateAsync(incremental: false, TestContext.Current.CancellationToken);
        await ownerView.WaitUntilAsync(() => (ownerView.Framebuffer.Width, ownerView.Framebuffer.Height) == (400, 300), Timeout, TestContext.Current.CancellationToken);
    }
}

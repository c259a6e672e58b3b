using Microsoft.Playwright;
using Sortie.Apps;
using Sortie.Data;
using Sortie.Testing;
using static Microsoft.Playwright.Assertions;

namespace Sortie.E2E;

/// <summary>
/// Recording as people meet it: the owner records from the session page, a guest is told before joining, and the
/// recording plays back in the browser, where the markers and the timeline seek.
/// </summary>
public sealed class RecordingTests(ProductionPortal server, Browser browser)
{
    private const string App = "recorded-desktop";

    private async Task EnsureRecordedAppAsync()
    {
        using var admin = await server.AdminAsync();
        if ((await admin.GetAsync<List<AppDto>>("/api/apps")).Any(a => a.Name == App)) return;
        var created = await admin.PostAsync("/api/apps", new AppRequest(App, LaunchType.Container, StreamProtocol.Vnc,
            Description: "A desktop its owner may record.", Icon: "🎥", Command: "exec openbox --startup xterm", Recording: RecordingPolicy.Optional));
        Assert.True(created.IsSuccessStatusCode || created.StatusCode == System.Net.HttpStatusCode.Conflict, $"{created.StatusCode}");
    }

    /// <summary>Where the player is, in milliseconds into the recording.</summary>
    private static async Task<int> PositionAsync(IPage page) =>
        int.Parse(await page.Locator(".player").GetAttributeAsync("data-position") ?? "0");

    [Fact]
    public async Task An_owner_records_a_guest_is_told_before_joining_and_the_recording_plays_back_and_seeks()
    {
        await EnsureRecordedAppAsync();
        using var ownerApi = await server.NewUserAsync();
        using var guestApi = await server.NewUserAsync();
        var guestName = guestApi.User.Username;

        // Launched small, so that its terminal sits at the top left (where ClickTerminalAsync clicks) at any size.
        var sessionId = (await ownerApi.LaunchAsync(App, 320, 240)).Id;
        var owner = await browser.LogInAsync(server, ownerApi);
        await owner.ConnectAsync(sessionId);
        // The page re-renders when its own connection is counted: a click during that render can miss its handler.
        await Expect(owner.Locator(".sessionbar .viewer-count")).ToContainTextAsync("1 connected");
        await owner.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync();
        await Expect(owner.Locator(".sessionbar .badge.recording")).ToHaveTextAsync("● Recording");
        await ownerApi.InviteAsync(sessionId, guestName, SharePermission.ReadWrite);

        // The guest learns the session is recorded before anything of theirs reaches it: no desktop until they agree.
        var guest = await browser.LogInAsync(server, guestApi);
        await guest.GotoAsync($"/sessions/{sessionId}");
        var gate = guest.GetByRole(AriaRole.Alert).Filter(new() { HasText = "This session is recorded" });
        await Expect(gate).ToContainTextAsync($"{ownerApi.User.Username} is recording this session.");
        await guest.ScreenshotAsync("session-recorded-gate.png");
        await guest.AssertNoSeriousViolationsAsync("The session page asking a guest to join a recorded session");
        Assert.DoesNotContain(await ownerApi.GetAsync<List<Sortie.Viewers.ViewerDto>>($"/api/sessions/{sessionId}/viewers"),
            v => v.User == guestName);
        await gate.GetByRole(AriaRole.Button, new() { Name = "Join the recorded session" }).ClickAsync();
        var before = await guest.WaitForDesktopAsync();
        await Expect(guest.Locator(".sessionbar .badge.recording")).ToBeVisibleAsync();
        await guest.ClickTerminalAsync();
        await guest.Keyboard.TypeAsync("echo the-guest-typed-this");
        await guest.Keyboard.PressAsync("Enter");
        await Canvas.WaitForAsync(guest, c => c.Hash != before.Hash);
        await Canvas.WaitForStillAsync(owner);
        await owner.ScreenshotAsync("session-recording.png");
        await owner.AssertNoSeriousViolationsAsync("The session page of its owner, recording");
        await owner.WaitForTimeoutAsync(1000); // the recorder's last pictures (it asks ten times a second)
        await owner.GetByRole(AriaRole.Button, new() { Name = "Stop recording" }).ClickAsync();
        await Expect(owner.Locator(".sessionbar .badge.recording")).ToHaveCountAsync(0);

        // The recordings page lists it with the guest, and plays it.
        await owner.GotoAsync("/recordings");
        var row = owner.Locator("tr[data-recording]");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync(guestName);
        await Expect(row).ToContainTextAsync($"stopped by {ownerApi.User.Username}");
        await owner.ScreenshotAsync("recordings.png");
        await owner.AssertNoSeriousViolationsAsync("The recordings page");
        await row.GetByRole(AriaRole.Link, new() { Name = "Play" }).ClickAsync();
        await Expect(owner.Locator(".player[data-state='ready']")).ToBeVisibleAsync();
        var markers = owner.GetByRole(AriaRole.List, new() { Name = "What happened" });
        // The recording's start comes first, then the owner who was watching when it began.
        await Expect(markers.GetByRole(AriaRole.Listitem).First).ToContainTextAsync($"Recording started by {ownerApi.User.Username}");
        await Expect(markers).ToContainTextAsync($"{ownerApi.User.Username} joined (owner, Full Access)");
        await Expect(markers).ToContainTextAsync($"{guestName} joined (invited, Full Access)");
        var tookControl = markers.GetByRole(AriaRole.Button).Filter(new() { HasText = $"{guestName} took control" });
        await Expect(tookControl).ToHaveCountAsync(1);
        await owner.AssertNoSeriousViolationsAsync("The recording player");

        // Playing moves on at the chosen speed and draws the desktop (3 s in: the recorder's first whole picture came
        // after 0.1–0.9 s in the recordings looked at, later on a busy machine).
        await owner.GetByLabel("Speed").SelectOptionAsync("4");
        await owner.GetByRole(AriaRole.Button, new() { Name = "Play" }).ClickAsync();
        Assert.True(await Eventually.TrueAsync(async () => await PositionAsync(owner) > 3000, TimeSpan.FromSeconds(20)), "the player did not move on");
        await owner.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        Assert.True((await Canvas.WaitForAsync(owner, c => c.Colours > 1)).Colours > 1,
            $"the player shows no desktop: {await owner.Locator(".player").GetAttributeAsync("data-desktop")}, {await owner.Locator(".player [data-role=status]").InnerTextAsync()}");

        // Seeking: to the end (the guest's line on the screen), back to a marker, and to the end again shows the same picture.
        var timeline = owner.GetByRole(AriaRole.Slider, new() { Name = "Position in the recording" });
        var end = await timeline.GetAttributeAsync("max");
        await timeline.FillAsync(end!);
        var atEnd = await Canvas.WaitForStillAsync(owner);
        await owner.ScreenshotAsync("recording-player.png");
        // The player's last picture is the file's, as the tests' own RFB client decodes it.
        var file = await ownerApi.Http.GetByteArrayAsync(
            (await ownerApi.GetAsync<List<Sortie.Recordings.RecordingDto>>("/api/recordings")).Single().FileUrl, TestContext.Current.CancellationToken);
        var entries = new List<Sortie.Recordings.RecordingEntry>();
        await foreach (var entry in Sortie.Recordings.RecordingReader.ReadAsync(new MemoryStream(file), TestContext.Current.CancellationToken)) entries.Add(entry);
        Assert.Equal(Canvas.HashOf((await RecordingReplay.FinalPictureAsync(entries)).Picture), atEnd.Hash);
        await tookControl.ClickAsync();
        var markerTime = await PositionAsync(owner);
        Assert.InRange(markerTime, 1, int.Parse(end!) - 1);
        var atMarker = await Canvas.WaitForStillAsync(owner);
        Assert.NotEqual(atEnd.Hash, atMarker.Hash);
        await timeline.FillAsync(end!);
        Assert.Equal(atEnd.Hash, (await Canvas.WaitForStillAsync(owner)).Hash);
    }
}

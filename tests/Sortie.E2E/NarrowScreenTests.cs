using Microsoft.Playwright;
using Sortie.Data;
using Sortie.Testing;
using static Microsoft.Playwright.Assertions;

namespace Sortie.E2E;

/// <summary>On a phone (390×844) every control of the share dialog and the session bar can be seen and used.</summary>
public sealed class NarrowScreenTests(ProductionPortal server, Browser browser)
{
    [Fact]
    public async Task The_share_dialog_fits_a_phone_with_every_control_in_view()
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        using var viewerApi = await server.NewUserAsync();
        await ownerApi.InviteAsync(session.Id, viewerApi.User.Username);
        var owner = await browser.LogInAsync(server, ownerApi);
        await owner.SetViewportSizeAsync(390, 844);

        var dialog = await owner.OpenShareDialogAsync(session.Id);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Generate Share Link" }).ClickAsync();
        await Expect(dialog.ShareRow("Link")).ToBeVisibleAsync();
        await owner.ScreenshotAsync("share-dialog-phone.png");

        Assert.True(await dialog.EvaluateAsync<bool>("d => d.scrollWidth <= d.clientWidth"),
            $"The dialog scrolls sideways: {await dialog.EvaluateAsync<string>("d => d.scrollWidth + ' px of content in ' + d.clientWidth")}.");
        foreach (var control in new[]
        {
            dialog.GetByRole(AriaRole.Button, new() { Name = "Invite", Exact = true }),
            dialog.GetByRole(AriaRole.Button, new() { Name = "Generate Share Link" }),
            dialog.GetByRole(AriaRole.Button, new() { Name = "Copy", Exact = true }),
            dialog.GetByRole(AriaRole.Button, new() { Name = "Copy the link" }),
            dialog.GetByRole(AriaRole.Combobox, new() { Name = $"Permission for {viewerApi.User.Username}" }),
            dialog.GetByRole(AriaRole.Button, new() { Name = $"Revoke {viewerApi.User.Username}" }),
            dialog.GetByRole(AriaRole.Button, new() { Name = "Revoke Link" }),
            dialog.GetByRole(AriaRole.Button, new() { Name = "Done" }),
        })
        {
            await control.ScrollIntoViewIfNeededAsync();
            await AssertInViewAsync(owner, control);
        }

        // Usable, not just visible: Revoke at the far right of its row works.
        await dialog.GetByRole(AriaRole.Button, new() { Name = $"Revoke {viewerApi.User.Username}" }).ClickAsync();
        await Expect(dialog.ShareRow(viewerApi.User.Username)).ToHaveCountAsync(0);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
    }

    [Fact]
    public async Task The_session_bar_keeps_End_session_and_its_icons_on_one_row_on_a_phone()
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        using var viewerApi = await server.NewUserAsync();
        await ownerApi.InviteAsync(session.Id, viewerApi.User.Username, SharePermission.ReadOnly);

        var owner = await browser.LogInAsync(server, ownerApi);
        await owner.SetViewportSizeAsync(390, 844);
        await owner.ConnectAsync(session.Id);
        var bar = owner.Locator(".sessionbar");
        var back = bar.GetByRole(AriaRole.Link, new() { Name = "Back to the dashboard" });
        foreach (var control in new[]
        {
            bar.GetByRole(AriaRole.Button, new() { Name = "Share" }),
            bar.GetByRole(AriaRole.Button, new() { Name = "Clipboard" }),
            bar.GetByRole(AriaRole.Button, new() { Name = "Fullscreen" }),
            bar.GetByRole(AriaRole.Button, new() { Name = "End session" }),
        })
        {
            await AssertInViewAsync(owner, control);
            await AssertOnTheRowOfAsync(back, control);
        }
        await Expect(bar.GetByText("Your session", new() { Exact = true })).ToBeVisibleAsync();
        Assert.True(await owner.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= innerWidth"), "The session page scrolls sideways.");
        await owner.ScreenshotAsync("session-bar-phone.png");

        var viewer = await browser.LogInAsync(server, viewerApi);
        await viewer.SetViewportSizeAsync(390, 844);
        await viewer.ConnectAsync(session.Id);
        var viewerBar = viewer.Locator(".sessionbar");
        await AssertOnTheRowOfAsync(viewerBar.GetByRole(AriaRole.Link, new() { Name = "Back to the dashboard" }),
            viewerBar.GetByRole(AriaRole.Button, new() { Name = "Fullscreen" }));
        var note = viewer.GetByText("your keyboard and mouse do not reach this desktop");
        await Expect(note).ToBeVisibleAsync();
        await AssertInViewAsync(viewer, note);
        Assert.True(await viewer.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= innerWidth"), "The session page scrolls sideways.");
        await viewer.ScreenshotAsync("session-bar-phone-view-only.png");
    }

    private static async Task AssertInViewAsync(IPage page, ILocator control)
    {
        var box = await control.BoundingBoxAsync() ?? throw new Xunit.Sdk.XunitException($"{control} is not shown.");
        var view = page.ViewportSize!;
        Assert.True(box.X >= 0 && box.Y >= 0 && box.X + box.Width <= view.Width && box.Y + box.Height <= view.Height,
            $"{control} lies outside the {view.Width}×{view.Height} window: at {box.X},{box.Y}, {box.Width}×{box.Height}.");
    }

    /// <summary>Asserts <paramref name="control"/> sits on the same row as <paramref name="first"/> (their tops within a few pixels).</summary>
    private static async Task AssertOnTheRowOfAsync(ILocator first, ILocator control)
    {
        var row = (await first.BoundingBoxAsync())!;
        var box = await control.BoundingBoxAsync() ?? throw new Xunit.Sdk.XunitException($"{control} is not shown.");
        Assert.True(Math.Abs(box.Y - row.Y) <= 4, $"{control} wrapped to another row: its top is at {box.Y}, the bar's first row at {row.Y}.");
    }
}

using Microsoft.Playwright;
using Sortie.Testing;
using static Microsoft.Playwright.Assertions;

namespace Sortie.E2E;

/// <summary>The portal's pages as a user drives them: logging in, the session manager, the share dialog.</summary>
public static class Portal
{
    /// <summary>A new browser (context) for <paramref name="user"/>, logged in through the login page, on the dashboard.</summary>
    public static async Task<IPage> LogInAsync(this Browser browser, ISortieServer server, ApiClient user,
        ColorScheme colorScheme = ColorScheme.Light, ViewportSize? viewport = null)
    {
        var page = await browser.NewPageAsync(server.BaseUri, colorScheme, viewport);
        await page.GotoAsync("/login");
        await page.LogInHereAsync(user);
        // The address, then the dashboard itself: twice today a page's load event had not come within 30 s while the
        // page was already there and working (not understood yet: see the issue note).
        await page.WaitForURLAsync(server.BaseUri.ToString(), new() { WaitUntil = WaitUntilState.Commit });
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Apps", Exact = true })).ToBeVisibleAsync();
        return page;
    }

    /// <summary>Fills in and sends the login form this page shows.</summary>
    public static async Task LogInHereAsync(this IPage page, ApiClient user)
    {
        await page.FillAsync("#username", user.User.Username);
        await page.FillAsync("#password", $"{user.User.Username}-password");
        await page.ClickAsync("button:has-text('Log in')");
    }

    /// <summary>Opens the session manager from the header's Sessions button.</summary>
    public static async Task<ILocator> OpenSessionsAsync(this IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Sessions" }).ClickAsync();
        var manager = page.SessionManager();
        await Expect(manager).ToBeVisibleAsync();
        return manager;
    }

    public static ILocator SessionManager(this IPage page) => page.GetByRole(AriaRole.Dialog, new() { Name = "Sessions", Exact = true });

    /// <summary>A session's card in the session manager.</summary>
    public static ILocator Card(this ILocator manager, Guid sessionId) => manager.Locator($"li[data-session='{sessionId}']");

    public static ILocator ShareDialog(this IPage page) => page.GetByRole(AriaRole.Dialog, new() { Name = "Share desktop" });

    /// <summary>A user's (or "Link"'s) row under Current Shares.</summary>
    public static ILocator ShareRow(this ILocator shareDialog, string who) => shareDialog.Locator($"li[data-who='{who}']");

    /// <summary>
    /// Clicks Launch on an app of the dashboard and waits for its session page: the new session's id. A launch that
    /// does not arrive says what the dashboard showed instead (an error, a button still busy).
    /// </summary>
    public static async Task<Guid> LaunchAsync(this IPage page, string appSlug)
    {
        var app = page.Locator($"li[data-app='{appSlug}']");
        await app.GetByRole(AriaRole.Button, new() { Name = "Launch" }).ClickAsync();
        // Only the address matters here (the callers wait for the desktop next): a page's load event once took longer
        // than 45 s although the session page had long been connected (see LogInAsync).
        try { await page.WaitForURLAsync("**/sessions/**", new() { Timeout = 45_000, WaitUntil = WaitUntilState.Commit }); }
        catch (TimeoutException)
        {
            await page.ScreenshotAsync($"not-launched-{Guid.NewGuid():N}.png");
            var shown = await page.Locator("body").AriaSnapshotAsync();
            throw new TimeoutException($"Launch of {appSlug} did not open its session page within 45 s; still at {page.Url}. The page showed:\n{shown}");
        }
        return Guid.Parse(new Uri(page.Url).Segments[^1]);
    }

    /// <summary>Opens the session page and waits until noVNC shows the desktop.</summary>
    public static async Task<Canvas> ConnectAsync(this IPage page, Guid sessionId)
    {
        await page.GotoAsync($"/sessions/{sessionId}");
        return await page.WaitForDesktopAsync();
    }

    /// <summary>Waits until this session page is connected and its desktop drawn.</summary>
    public static async Task<Canvas> WaitForDesktopAsync(this IPage page)
    {
        try { await Canvas.Connected(page).WaitForAsync(new() { Timeout = 30_000 }); }
        catch (TimeoutException)
        {
            // Say what the page showed instead, so a failure explains itself.
            await page.ScreenshotAsync($"not-connected-{Guid.NewGuid():N}.png");
            var shown = await page.Locator(".session-page, main").First.InnerTextAsync();
            throw new TimeoutException($"The desktop did not connect within 30 s at {page.Url}. The page showed: {shown}");
        }
        var drawn = await Canvas.WaitForAsync(page, c => c.Colours > 1);
        Assert.True(drawn.Colours > 1, "The desktop canvas stays blank.");
        return drawn;
    }

    /// <summary>
    /// Clicks into the terminal of a small test desktop (launched at 320×240, its xterm sits at the top left,
    /// whatever size the desktop is resized to). A click on the bare desktop would take the focus from it.
    /// </summary>
    public static Task ClickTerminalAsync(this IPage page) =>
        Canvas.Connected(page).ClickAsync(new() { Position = new() { X = 60, Y = 60 } });

    public static Task ScreenshotAsync(this IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotDir, name) });

    public static Task ScreenshotAsync(this ILocator element, string name) =>
        element.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotDir, name) });

    /// <summary>
    /// Screenshots of the page (or of <paramref name="element"/> on it) as it is, "{name}.png", and on a
    /// <see cref="Browser.Phone"/>, "{name}-phone.png": the page is narrowed for it, then given its size back. Not on
    /// the owner's session page: the desktop would follow the window.
    /// </summary>
    public static async Task ScreenshotAtBothSizesAsync(this IPage page, string name, ILocator? element = null)
    {
        var size = page.ViewportSize!;
        await Shoot($"{name}.png");
        await page.SetViewportSizeAsync(Browser.Phone.Width, Browser.Phone.Height);
        await Shoot($"{name}-phone.png");
        await page.SetViewportSizeAsync(size.Width, size.Height);

        async Task Shoot(string file)
        {
            // After the layout settles: two frames, then noVNC's rescale of the desktop to the new size.
            await page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
            await page.WaitForTimeoutAsync(300);
            await (element is null ? page.ScreenshotAsync(file) : element.ScreenshotAsync(file));
        }
    }
}

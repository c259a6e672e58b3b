using Microsoft.Playwright;
using Sortie.Testing;
using static Microsoft.Playwright.Assertions;

namespace Sortie.E2E;

public sealed class DesktopTests(ProductionPortal server, Browser browser)
{
    [Fact]
    public async Task A_user_logs_in_launches_the_desktop_sees_it_and_types_into_its_terminal()
    {
        var page = await browser.NewPageAsync(server.BaseUri);

        await page.GotoAsync("/");
        await page.WaitForURLAsync("**/login**");
        await page.ScreenshotAsync("login.png");
        await page.FillAsync("#username", "admin");
        await page.FillAsync("#password", SortieServer.AdminPassword);
        await page.ClickAsync("button:has-text('Log in')");

        var desktop = page.Locator("li[data-app='desktop']");
        await desktop.WaitForAsync();
        await page.ScreenshotAsync("dashboard.png");
        var sessionId = await page.LaunchAsync("desktop");
        var drawn = await page.WaitForDesktopAsync();
        await page.ScreenshotAsync("session.png");

        // The xterm has the focus (openbox gives it to the one window): typing must show on the desktop.
        await Canvas.Connected(page).ClickAsync();
        await page.Keyboard.TypeAsync("echo typed-from-the-browser");
        await page.Keyboard.PressAsync("Enter");
        var typed = await Canvas.WaitForAsync(page, c => c.Hash != drawn.Hash);
        Assert.NotEqual(drawn.Hash, typed.Hash);
        await page.ScreenshotAsync("session-typed.png");

        // Ending asks first.
        await page.GetByRole(AriaRole.Button, new() { Name = "End session" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Dialog, new() { Name = "End this session?" });
        await confirm.GetByRole(AriaRole.Button, new() { Name = "End session" }).ClickAsync();
        await page.WaitForURLAsync(server.BaseUri.ToString());
        // An admin also sees everyone else's sessions (other tests' among them): only this one must be gone.
        var manager = await page.OpenSessionsAsync();
        await Expect(manager.Card(sessionId)).ToHaveCountAsync(0);
        await Expect(manager.GetByRole(AriaRole.List, new() { Name = "My sessions" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_web_proxy_session_shows_its_page_in_the_browser_and_offers_no_Share()
    {
        using var userApi = await server.NewUserAsync();
        var session = await userApi.LaunchAsync("browser", 800, 600);
        var page = await browser.LogInAsync(server, userApi);

        await page.ConnectAsync(session.Id);
        // The kiosk browser draws the portal's API reference: far more than a blank desktop's few colours.
        var drawn = await Canvas.WaitForAsync(page, c => c.Colours > 20);
        Assert.True(drawn.Colours > 20, "The web page never appeared in the session.");
        await Expect(page.Locator(".sessionbar").GetByRole(AriaRole.Button, new() { Name = "Share" })).ToHaveCountAsync(0);

        await page.GotoAsync("/");
        var card = (await page.OpenSessionsAsync()).Card(session.Id);
        await Expect(card.GetByRole(AriaRole.Link, new() { Name = "Connect" })).ToBeVisibleAsync();
        await Expect(card.GetByRole(AriaRole.Button, new() { Name = "Share" })).ToHaveCountAsync(0);
        await Expect(card.GetByRole(AriaRole.Button, new() { Name = "Terminate" })).ToBeVisibleAsync();
    }
}

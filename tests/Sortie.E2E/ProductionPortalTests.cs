using Microsoft.Playwright;
using Sortie.Testing;
using static Microsoft.Playwright.Assertions;

namespace Sortie.E2E;

/// <summary>The portal as ./run.sh runs it comes alive in the browser: its framework script connects the page, its stylesheet styles it.</summary>
public sealed class ProductionPortalTests(ProductionPortal server, Browser browser)
{
    [Fact]
    public async Task After_logging_in_the_dashboard_is_interactive_and_styled_by_app_css()
    {
        using var user = await server.NewUserAsync();
        var page = await browser.LogInAsync(server, user);

        // The Sessions button is disabled until the page's Blazor circuit is live: blazor.web.js loaded and connected.
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sessions" })).ToBeEnabledAsync();
        // app.css paints the top bar in its card colour (white, in the light theme); unstyled, it would be transparent.
        await Expect(page.Locator(".topbar")).ToHaveCSSAsync("background-color", "rgb(255, 255, 255)");
        await page.ScreenshotAsync("dashboard-production.png");
    }
}

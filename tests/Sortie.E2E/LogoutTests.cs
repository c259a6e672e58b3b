using Microsoft.Playwright;
using Sortie.Auth;
using Sortie.Testing;
using static Microsoft.Playwright.Assertions;

namespace Sortie.E2E;

/// <summary>The header's Log out button: it works, and the cookie it leaves behind is worth nothing.</summary>
public sealed class LogoutTests(ProductionPortal server, Browser browser)
{
    [Fact]
    public async Task Log_out_returns_to_the_login_page_and_a_copy_of_the_old_cookie_no_longer_works()
    {
        using var user = await server.NewUserAsync();
        var page = await browser.LogInAsync(server, user);
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == AuthSetup.CookieName);

        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await page.WaitForURLAsync(new Uri(server.BaseUri, "/login").ToString());

        await page.GotoAsync("/");
        Assert.StartsWith(new Uri(server.BaseUri, "/login").ToString(), page.Url);
        using var replay = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = server.BaseUri };
        replay.DefaultRequestHeaders.Add("Cookie", $"{cookie.Name}={cookie.Value}");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await replay.GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task A_page_left_open_in_another_tab_can_do_nothing_more_after_log_out()
    {
        using var user = await server.NewUserAsync();
        var first = await browser.LogInAsync(server, user);
        var second = await first.Context.NewPageAsync();
        await second.GotoAsync("/");
        var sessions = second.GetByRole(AriaRole.Button, new() { Name = "Sessions" });
        await Expect(sessions).ToBeEnabledAsync(); // its circuit is live

        await first.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await first.WaitForURLAsync(new Uri(server.BaseUri, "/login").ToString());

        await sessions.ClickAsync();
        await Expect(second.Locator("#blazor-error-ui")).ToBeVisibleAsync();
        await Expect(second.SessionManager()).ToBeHiddenAsync();
    }
}

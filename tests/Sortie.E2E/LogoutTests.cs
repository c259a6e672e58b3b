using Microsoft.Playwright;
using Sortie.Auth;
using Sortie.Testing;

namespace Sortie.E2E;

/// <summary>The header's Log out button: it works, and the cookie it leaves behind is worth nothing.</summary>
public sealed class LogoutTests(SortieServer server, Browser browser) : IClassFixture<SortieServer>, IClassFixture<Browser>
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
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await replay.GetAsync("/api/auth/me")).StatusCode);
    }
}

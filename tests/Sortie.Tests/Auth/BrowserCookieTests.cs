using System.Net.WebSockets;
using System.Text.RegularExpressions;
using Sortie.Auth;
using Sortie.Platform;

namespace Sortie.Tests.Auth;

/// <summary>The sign-in cookie: it ends on the server at logout, and other sites can neither end it nor ride it.</summary>
public sealed partial class BrowserCookieTests(SortieServer server) : IClassFixture<SortieServer>
{
    private const string Evil = "https://evil.example";

    /// <summary>A browser: it keeps its cookies and does not follow redirects.</summary>
    private sealed class Browser : IDisposable
    {
        private readonly SortieServer _server;
        private readonly System.Net.CookieContainer _jar = new();

        private Browser(SortieServer server)
        {
            _server = server;
            Client = new HttpClient(new HttpClientHandler { CookieContainer = _jar, AllowAutoRedirect = false }) { BaseAddress = server.BaseUri };
        }

        public static Browser Open(SortieServer server) => new(server);

        public HttpClient Client { get; }
        public string Origin => _server.BaseUri.GetLeftPart(UriPartial.Authority);

        public async Task LogInAsync(string username)
        {
            var response = await Client.PostAsJsonAsync("/api/auth/login", new LoginRequest(username, $"{username}-password"), SortieJson.Options);
            response.EnsureSuccessStatusCode();
        }

        /// <summary>The sign-in cookie as it stands now, to replay later as a copy would be.</summary>
        public string Cookie => $"{AuthSetup.CookieName}={_jar.GetCookies(_server.BaseUri)[AuthSetup.CookieName]!.Value}";

        public void Dispose() => Client.Dispose();
    }

    /// <summary>A request carrying only the given cookie (no jar), from the given origin if any.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string cookie, string? origin = null)
    {
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = server.BaseUri };
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", cookie);
        if (origin is not null) request.Headers.Add("Origin", origin);
        return await http.SendAsync(request);
    }

    private Task<HttpResponseMessage> MeAsync(string cookie) => SendAsync(HttpMethod.Get, "/api/auth/me", cookie);

    private async Task AssertLoggedOutAsync(string cookie)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await MeAsync(cookie)).StatusCode);
        var page = await SendAsync(HttpMethod.Get, "/", cookie);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/login", page.Headers.Location!.IsAbsoluteUri ? page.Headers.Location.PathAndQuery : page.Headers.Location.OriginalString);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    /// <summary>The UI's logout form as the home page renders it: its antiforgery token.</summary>
    private static async Task<string> LogoutFormTokenAsync(Browser browser)
    {
        var html = await browser.Client.GetStringAsync("/");
        Assert.Contains("action=\"/logout\"", html);
        return AntiforgeryField().Match(html).Groups[1].Value;
    }

    [Fact]
    public async Task The_ui_logout_form_ends_the_cookie_on_the_server()
    {
        using var user = await server.NewUserAsync();
        using var browser = Browser.Open(server);
        await browser.LogInAsync(user.User.Username);
        var copy = browser.Cookie;
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(copy)).StatusCode);

        var token = await LogoutFormTokenAsync(browser);
        var logout = await browser.Client.PostAsync("/logout", new FormUrlEncodedContent([new("__RequestVerificationToken", token)]), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal("/login", logout.Headers.Location!.OriginalString);

        await AssertLoggedOutAsync(copy);
    }

    [Fact]
    public async Task Api_logout_ends_the_cookie_on_the_server()
    {
        using var user = await server.NewUserAsync();
        using var browser = Browser.Open(server);
        await browser.LogInAsync(user.User.Username);
        var copy = browser.Cookie;

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Post, "/api/auth/logout", copy, browser.Origin)).StatusCode);

        await AssertLoggedOutAsync(copy);
    }

    [Fact]
    public async Task Logging_out_one_browser_leaves_the_others_logged_in()
    {
        using var user = await server.NewUserAsync();
        using var first = Browser.Open(server);
        using var second = Browser.Open(server);
        await first.LogInAsync(user.User.Username);
        await second.LogInAsync(user.User.Username);

        await SendAsync(HttpMethod.Post, "/api/auth/logout", first.Cookie);

        Assert.Equal(HttpStatusCode.OK, (await MeAsync(second.Cookie)).StatusCode);
    }

    [Fact]
    public async Task A_password_change_ends_every_cookie_of_the_account()
    {
        using var user = await server.NewUserAsync();
        using var browser = Browser.Open(server);
        await browser.LogInAsync(user.User.Username);
        var copy = browser.Cookie;

        var change = await user.PostAsync("/api/auth/password",
            new ChangePasswordRequest($"{user.User.Username}-password", "a-brand-new-password"));
        Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);

        await AssertLoggedOutAsync(copy);
        await ProblemAssert.IsProblemAsync(await server.Anonymous().PostAsync("/api/auth/refresh",
            new RefreshRequest(user.Tokens!.RefreshToken)), HttpStatusCode.Unauthorized);
        using var again = await server.LoginAsync(user.User.Username, "a-brand-new-password");
    }

    [Fact]
    public async Task A_password_change_needs_the_current_password()
    {
        using var user = await server.NewUserAsync();
        var detail = await ProblemAssert.IsProblemAsync(await user.PostAsync("/api/auth/password",
            new ChangePasswordRequest("not-my-password", "a-brand-new-password")), HttpStatusCode.BadRequest);
        Assert.Contains("current password", detail);
        detail = await ProblemAssert.IsProblemAsync(await user.PostAsync("/api/auth/password",
            new ChangePasswordRequest($"{user.User.Username}-password", "short")), HttpStatusCode.BadRequest);
        Assert.Contains("at least", detail);
    }

    [Fact]
    public async Task Deleting_the_account_ends_its_cookies()
    {
        using var admin = await server.AdminAsync();
        using var user = await server.NewUserAsync();
        using var browser = Browser.Open(server);
        await browser.LogInAsync(user.User.Username);
        var copy = browser.Cookie;

        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/admin/users/{user.User.Id}", TestContext.Current.CancellationToken)).StatusCode);

        await AssertLoggedOutAsync(copy);
    }

    [Fact]
    public async Task Logging_out_closes_the_desktop_views_opened_with_that_cookie_within_a_second()
    {
        using var user = await server.NewUserAsync();
        var session = await user.LaunchDesktopAsync(320, 240);
        using var browser = Browser.Open(server);
        await browser.LogInAsync(user.User.Username);
        using var byCookie = await user.ConnectAsync(session.Id, o =>
        {
            o.SetRequestHeader("Authorization", null);
            o.SetRequestHeader("Cookie", browser.Cookie);
            o.SetRequestHeader("Origin", browser.Origin);
        });
        using var byToken = await user.ConnectAsync(session.Id);

        var (close, took) = await byCookie.ClosedByAsync(() => SendAsync(HttpMethod.Post, "/api/auth/logout", browser.Cookie, browser.Origin));

        Assert.Equal((4001, "access revoked"), close);
        Assert.True(took < TimeSpan.FromSeconds(1), $"took {took}");
        Assert.Equal(WebSocketState.Open, byToken.State); // the API client's own view stands on its token
    }

    [Fact]
    public async Task Another_site_cannot_log_the_user_out()
    {
        using var user = await server.NewUserAsync();
        using var browser = Browser.Open(server);
        await browser.LogInAsync(user.User.Username);
        var cookie = browser.Cookie;

        // A form on another page posts to /logout: it has no antiforgery token.
        var form = await SendAsync(HttpMethod.Post, "/logout", cookie, Evil);
        Assert.Contains("antiforgery", await ProblemAssert.IsProblemAsync(form, HttpStatusCode.BadRequest));
        // Nor may it use the API's logout with the cookie.
        await ProblemAssert.IsProblemAsync(await SendAsync(HttpMethod.Post, "/api/auth/logout", cookie, Evil), HttpStatusCode.Forbidden);

        Assert.Equal(HttpStatusCode.OK, (await MeAsync(cookie)).StatusCode);
    }

    [Fact]
    public async Task Another_site_cannot_open_a_blazor_circuit_with_the_cookie()
    {
        using var user = await server.NewUserAsync();
        using var browser = Browser.Open(server);
        await browser.LogInAsync(user.User.Username);
        const string negotiate = "/_blazor/negotiate?negotiateVersion=1";

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, negotiate, browser.Cookie, browser.Origin)).StatusCode);
        await ProblemAssert.IsProblemAsync(await SendAsync(HttpMethod.Post, negotiate, browser.Cookie, Evil), HttpStatusCode.Forbidden);

        async Task<HttpStatusCode> UpgradeAsync(string origin)
        {
            using var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            socket.Options.SetRequestHeader("Cookie", browser.Cookie);
            socket.Options.SetRequestHeader("Origin", origin);
            try { await socket.ConnectAsync(new UriBuilder(server.BaseUri) { Scheme = "ws", Path = "/_blazor" }.Uri, CancellationToken.None); }
            catch (WebSocketException) { }
            return socket.HttpStatusCode;
        }
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeAsync(Evil));
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeAsync(browser.Origin));
    }
}

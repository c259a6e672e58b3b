using System.Net.WebSockets;
using Sortie.Auth;
using Sortie.Data;

namespace Sortie.Tests.Gateway;

public sealed class GatewayAccessTests(SortieServer server) : IClassFixture<SortieServer>
{
    /// <summary>The browser's way in: the login cookie, and the Origin header the browser adds.</summary>
    private async Task<Action<ClientWebSocketOptions>> BrowserAsync(ApiClient user, string origin)
    {
        var login = await server.Anonymous().PostAsync("/api/auth/login", new LoginRequest(user.User.Username, $"{user.User.Username}-password"));
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(AuthSetup.CookieName)).Split(';')[0];
        return o =>
        {
            o.SetRequestHeader("Authorization", null);
            o.SetRequestHeader("Cookie", cookie);
            o.SetRequestHeader("Origin", origin);
        };
    }

    [Fact]
    public async Task The_portals_own_pages_connect_with_the_cookie()
    {
        using var owner = await server.NewUserAsync();
        var session = await owner.LaunchDesktopAsync(320, 240);
        var browser = await BrowserAsync(owner, server.BaseUri.GetLeftPart(UriPartial.Authority));
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await owner.UpgradeStatusAsync(session.Id, browser));
    }

    [Fact]
    public async Task Another_site_cannot_ride_the_cookie_into_a_session()
    {
        using var owner = await server.NewUserAsync();
        var session = await owner.LaunchDesktopAsync(320, 240);
        var evil = await BrowserAsync(owner, "https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, await owner.UpgradeStatusAsync(session.Id, evil));
    }

    [Fact]
    public async Task A_session_that_is_not_running_is_409()
    {
        using var owner = await server.NewUserAsync();
        var session = await owner.LaunchDesktopAsync(320, 240);
        await owner.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, await owner.UpgradeStatusAsync(session.Id));
    }

    [Fact]
    public async Task A_plain_request_to_the_gateway_is_told_to_upgrade()
    {
        using var owner = await server.NewUserAsync();
        var session = await owner.LaunchDesktopAsync(320, 240);
        await ProblemAssert.IsProblemAsync(await owner.Http.GetAsync($"/ws/sessions/{session.Id}", TestContext.Current.CancellationToken), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Ending_the_session_closes_its_viewers_with_the_reason()
    {
        using var owner = await server.NewUserAsync();
        using var admin = await server.NewUserAsync(UserRole.Admin);
        var session = await owner.LaunchDesktopAsync(320, 240);
        using var ownerView = await owner.ConnectAsync(session.Id);
        using var adminView = await admin.ConnectAsync(session.Id);

        await owner.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);

        foreach (var view in new[] { ownerView, adminView })
        {
            var close = await view.WaitForCloseAsync();
            Assert.Equal((4000, "session ended"), close);
        }
    }

    [Fact]
    public async Task The_gateway_speaks_rfb_from_the_sessions_vnc_server()
    {
        using var owner = await server.NewUserAsync();
        var session = await owner.LaunchDesktopAsync(320, 240);
        using var view = await owner.ConnectAsync(session.Id);
        Assert.Equal("binary", view.SubProtocol);

        var banner = new byte[12];
        var got = 0;
        while (got < banner.Length)
            got += (await view.ReceiveAsync(banner.AsMemory(got), CancellationToken.None)).Count;
        Assert.Equal("RFB 003.008\n", System.Text.Encoding.ASCII.GetString(banner));
        await owner.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
    }
}

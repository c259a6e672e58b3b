using Sortie.Apps;
using Sortie.Data;
using Sortie.Sharing;
using Sortie.Tests.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace Sortie.Tests.Runners;

/// <summary>Web-proxy apps: a kiosk Chromium in the session's sandbox, on one web address, streamed like a desktop.</summary>
public sealed class WebProxyTests(PortalRecordingRequests server) : IClassFixture<PortalRecordingRequests>
{
    /// <summary>Chromium takes a while to start on a small, busy machine.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_browser_demo_app_shows_the_portals_api_reference()
    {
        using var user = await server.NewUserAsync();
        var browser = await user.AppAsync("browser");
        Assert.Equal(LaunchType.WebProxy, browser.LaunchType);

        var session = await user.LaunchAsync("browser", 800, 600);

        // The page came from the portal, and its script ran: it fetched the OpenAPI document it shows.
        Assert.True(await Eventually.TrueAsync(() => server.Paths.Contains("/scalar/") && server.Paths.Any(p => p.EndsWith("openapi/v1.json")), Timeout),
            "the portal was asked for: " + string.Join(", ", server.Paths.Distinct()));
        // And it is drawn: antialiased text brings many colours where the empty display had one.
        await using var view = await user.ViewAsync(session.Id);
        await view.WaitForPictureAsync(f => f.CountDistinctColours() > 16, Timeout, TestContext.Current.CancellationToken);
        await user.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_web_proxy_session_shows_its_page_reached_through_the_relay()
    {
        await using var page = new WebPage(RdpServer.Colour);
        var app = await RdpApps.AddAsync(server, new AppRequest("intranet", LaunchType.WebProxy, Url: page.Url));
        using var user = await server.NewUserAsync();

        var session = await user.LaunchAsync(app.Name, 640, 480);

        await using var view = await user.ViewAsync(session.Id);
        await view.WaitForPictureAsync(f => RdpApps.MostlyColour(f, RdpServer.Colour), Timeout, TestContext.Current.CancellationToken);
        Assert.True(page.Requests > 0);
        var chromium = SandboxProcesses.Of(server.SessionFolder(session.Id)).First(p => p.Command.StartsWith("/usr/lib/chromium/"));
        Assert.Equal(["lo"], SandboxNetwork.Interfaces(chromium.Pid));
        // The browser reads Sortie's managed policy: no local files, no browser internals, no file chooser.
        var policy = File.ReadAllText($"/proc/{chromium.Pid}/root/etc/chromium/policies/managed/sortie.json");
        Assert.Contains("\"file://*\"", policy);
        Assert.Contains("\"AllowFileSelectionDialogs\":false", policy);
        await user.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_web_proxy_session_cannot_be_shared_and_the_answer_says_why()
    {
        var owner = await server.NewUserAsync();
        var other = await server.NewUserAsync();
        var session = await owner.LaunchAsync("browser", 640, 480);

        var invite = await ProblemAssert.IsProblemAsync(await owner.PostAsync($"/api/sessions/{session.Id}/shares",
            new CreateShareRequest(other.User.Username, Permission: SharePermission.ReadOnly)), HttpStatusCode.BadRequest);
        var link = await ProblemAssert.IsProblemAsync(await owner.PostAsync($"/api/sessions/{session.Id}/shares",
            new CreateShareRequest(LinkShare: true)), HttpStatusCode.BadRequest);

        Assert.Contains("'browser'", invite);
        Assert.Contains("can be shared", invite);
        Assert.Equal(invite, link);
        await owner.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
    }
}

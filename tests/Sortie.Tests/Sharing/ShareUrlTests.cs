using Sortie.Sharing;
using Sortie.Platform;

namespace Sortie.Tests.Sharing;

/// <summary>A share link's <c>share_url</c> is a whole address the owner can send as it is.</summary>
public sealed class ShareUrlTests(NoDesktopServer server) : IClassFixture<NoDesktopServer>
{
    [Fact]
    public async Task Without_a_public_url_the_link_names_the_address_the_owner_reached_the_portal_at_and_it_opens_the_join_page()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        var link = await owner.CreateLinkAsync(session.Id);

        Assert.Equal(new Uri(server.BaseUri, SharingService.JoinPath + ApiClient.TokenOf(link.ShareUrl!)), new Uri(link.ShareUrl!));
        // Sent to someone logged out, it leads to the login page, and back to the join after it.
        using var stranger = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var visit = await stranger.GetAsync(link.ShareUrl, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, visit.StatusCode);
        Assert.Contains("/login?ReturnUrl=%2Fjoin%2F", visit.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Forwarded_headers_from_a_peer_that_is_no_trusted_proxy_do_not_change_the_link()
    {
        var (owner, session) = await server.NewRunningSessionAsync();

        var link = await ShareUrlTests.CreateLinkViaProxyAsync(owner, session.Id);

        Assert.StartsWith(new Uri(server.BaseUri, SharingService.JoinPath).ToString(), link.ShareUrl);
    }

    /// <summary>Creates a link as a request a reverse proxy passes on for https://portal.example.com.</summary>
    internal static async Task<ShareDto> CreateLinkViaProxyAsync(ApiClient owner, Guid sessionId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/sessions/{sessionId}/shares")
        {
            Content = JsonContent.Create(new CreateShareRequest(LinkShare: true), options: SortieJson.Options),
        };
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "portal.example.com");
        return await ApiClient.ReadAsync<ShareDto>(await owner.Http.SendAsync(request));
    }
}

namespace Sortie.Tests.Sharing;

/// <summary>Behind a trusted reverse proxy, links name the address the proxy serves.</summary>
public sealed class ShareUrlBehindProxyTests(ShareUrlBehindProxyTests.Server server) : IClassFixture<ShareUrlBehindProxyTests.Server>
{
    public sealed class Server : NoDesktopServer
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("SORTIE_TRUSTED_PROXIES", "127.0.0.1/32")];
    }

    [Fact]
    public async Task The_link_has_the_scheme_and_host_the_proxy_forwards()
    {
        var (owner, session) = await server.NewRunningSessionAsync();

        var link = await ShareUrlTests.CreateLinkViaProxyAsync(owner, session.Id);

        Assert.StartsWith("https://portal.example.com/join/", link.ShareUrl);
    }
}

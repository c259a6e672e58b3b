using Sortie.Platform;


namespace Sortie.Tests.Hosting;

public sealed class TrustedProxiesSettingTests
{
    [Fact]
    public void Trusted_proxies_are_addresses_and_cidr_ranges()
    {
        var networks = SortieOptions.ParseNetworks("10.0.0.7, 192.168.0.0/16 ::1", "SORTIE_TRUSTED_PROXIES");
        Assert.Equal(["10.0.0.7/32", "192.168.0.0/16", "::1/128"], networks.Select(n => n.ToString()));
        Assert.Empty(SortieOptions.ParseNetworks(null, "SORTIE_TRUSTED_PROXIES"));
    }

    [Theory]
    [InlineData("proxy.example.org")]
    [InlineData("10.0.0.0/33")]
    public void A_bad_trusted_proxy_stops_the_server_with_the_setting_named(string text)
    {
        var e = Assert.Throws<InvalidOperationException>(() => SortieOptions.ParseNetworks(text, "SORTIE_TRUSTED_PROXIES"));
        Assert.Contains("SORTIE_TRUSTED_PROXIES", e.Message);
    }
}

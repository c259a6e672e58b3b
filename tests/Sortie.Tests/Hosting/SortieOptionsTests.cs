using Sortie.Platform;


namespace Sortie.Tests.Hosting;

public sealed class SortieOptionsTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("2h", 7200)]
    [InlineData("1d", 86400)]
    [InlineData("1h30m", 5400)]
    [InlineData("00:05:00", 300)]
    public void Durations_read_as_people_write_them(string text, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), SortieOptions.ParseDuration(text, TimeSpan.Zero, "X"));

    [Theory]
    [InlineData("soon")]
    [InlineData("0s")]
    [InlineData("-5m")]
    public void A_bad_duration_stops_the_server_with_the_setting_named(string text)
    {
        var e = Assert.Throws<InvalidOperationException>(() => SortieOptions.ParseDuration(text, TimeSpan.Zero, "SORTIE_SESSION_TIMEOUT"));
        Assert.Contains("SORTIE_SESSION_TIMEOUT", e.Message);
    }
}

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

public sealed class PublicUrlSettingTests
{
    [Theory]
    [InlineData("https://sortie.example.com", "https://sortie.example.com")]
    [InlineData(" https://sortie.example.com/ ", "https://sortie.example.com")]
    [InlineData("http://10.0.0.7:8080/team/", "http://10.0.0.7:8080/team")]
    public void The_public_url_is_kept_without_its_trailing_slash(string text, string expected) =>
        Assert.Equal(expected, SortieOptions.ParsePublicUrl(text, "SORTIE_PUBLIC_URL"));

    [Theory]
    [InlineData("sortie.example.com")]
    [InlineData("ftp://sortie.example.com")]
    [InlineData("https://sortie.example.com/?x=1")]
    [InlineData("https://user:pw@sortie.example.com")]
    public void A_bad_public_url_stops_the_server_with_the_setting_named(string text)
    {
        var e = Assert.Throws<InvalidOperationException>(() => SortieOptions.ParsePublicUrl(text, "SORTIE_PUBLIC_URL"));
        Assert.Contains("SORTIE_PUBLIC_URL", e.Message);
    }
}

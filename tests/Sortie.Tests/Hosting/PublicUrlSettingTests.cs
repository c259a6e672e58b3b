using Sortie.Platform;


namespace Sortie.Tests.Hosting;

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

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

using Sortie.Platform;

namespace Sortie.Tests.Sharing;

/// <summary>Join attempts are limited per user and per address (a class of its own: a server of its own).</summary>
public sealed class JoinRateLimitTests(SortieServer server) : IClassFixture<SortieServer>
{
    [Fact]
    public async Task Guessing_links_is_stopped_with_429_after_the_per_user_limit()
    {
        using var guesser = await server.NewUserAsync();
        for (var i = 0; i < SortieOptions.DefaultJoinLimitPerUser; i++)
            Assert.Equal(HttpStatusCode.NotFound, (await guesser.JoinAsync($"/join/guess-{i}")).StatusCode);

        var refused = await guesser.JoinAsync("/join/one-more");

        Assert.Contains("Too many", await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.TooManyRequests));
        Assert.NotNull(refused.Headers.RetryAfter);
        // Another user (from another address in real life) is not held back by this one's guessing.
        using var other = await server.NewUserAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await other.JoinAsync("/join/a-guess")).StatusCode);
    }
}

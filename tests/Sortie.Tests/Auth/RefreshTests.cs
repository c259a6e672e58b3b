using Sortie.Auth;

namespace Sortie.Tests.Auth;

public sealed class RefreshTests(SortieServer server) : IClassFixture<SortieServer>
{
    [Fact]
    public async Task A_refresh_token_gives_a_new_pair_once()
    {
        using var user = await server.NewUserAsync();
        var first = await ApiClient.ReadAsync<TokenPair>(
            await user.PostAsync("/api/auth/refresh", new RefreshRequest(user.Tokens!.RefreshToken)));
        Assert.NotEqual(user.Tokens.RefreshToken, first.RefreshToken);

        var again = await user.PostAsync("/api/auth/refresh", new RefreshRequest(user.Tokens.RefreshToken));
        await ProblemAssert.IsProblemAsync(again, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Replaying_a_spent_refresh_token_revokes_the_ones_issued_after_it()
    {
        using var user = await server.NewUserAsync();
        var rotated = await ApiClient.ReadAsync<TokenPair>(
            await user.PostAsync("/api/auth/refresh", new RefreshRequest(user.Tokens!.RefreshToken)));

        // Someone replays the stolen, already-spent token...
        await user.PostAsync("/api/auth/refresh", new RefreshRequest(user.Tokens.RefreshToken));

        // ...so the legitimate successor is dead too: the thief cannot keep a session alive.
        var successor = await user.PostAsync("/api/auth/refresh", new RefreshRequest(rotated.RefreshToken));
        await ProblemAssert.IsProblemAsync(successor, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Logout_kills_the_refresh_token()
    {
        using var user = await server.NewUserAsync();
        var logout = await user.PostAsync("/api/auth/logout", new LogoutRequest(user.Tokens!.RefreshToken));
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        var refresh = await user.PostAsync("/api/auth/refresh", new RefreshRequest(user.Tokens.RefreshToken));
        await ProblemAssert.IsProblemAsync(refresh, HttpStatusCode.Unauthorized);
    }
}

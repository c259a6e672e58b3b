using Sortie.Data;
using Sortie.Auth;

namespace Sortie.Tests.Auth;

public sealed class LoginTests(SortieServer server) : IClassFixture<SortieServer>
{
    [Fact]
    public async Task Login_returns_tokens_the_user_and_an_http_only_cookie()
    {
        using var anon = server.Anonymous();
        var response = await anon.PostAsync("/api/auth/login", new LoginRequest("admin", SortieServer.AdminPassword));
        var pair = await ApiClient.ReadAsync<TokenPair>(response);

        Assert.Equal("admin", pair.User.Username);
        Assert.Equal(UserRole.Admin, pair.User.Role);
        Assert.Equal(900, pair.ExpiresIn);
        Assert.NotEmpty(pair.RefreshToken);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(AuthSetup.CookieName));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_user_get_the_same_401()
    {
        using var anon = server.Anonymous();
        var wrongPassword = await ProblemAssert.IsProblemAsync(
            await anon.PostAsync("/api/auth/login", new LoginRequest("admin", "not-the-password")), HttpStatusCode.Unauthorized);
        var unknownUser = await ProblemAssert.IsProblemAsync(
            await anon.PostAsync("/api/auth/login", new LoginRequest("nobody-here", "whatever-pass")), HttpStatusCode.Unauthorized);
        Assert.Equal(wrongPassword, unknownUser);
    }

    [Fact]
    public async Task Repeated_failures_lock_the_name_out_even_for_the_right_password()
    {
        using var user = await server.NewUserAsync();
        using var anon = server.Anonymous();
        for (var i = 0; i < LoginThrottle.FreeFailures; i++)
            await anon.PostAsync("/api/auth/login", new LoginRequest(user.User.Username, "wrong-password"));

        var locked = await anon.PostAsync("/api/auth/login", new LoginRequest(user.User.Username, $"{user.User.Username}-password"));
        await ProblemAssert.IsProblemAsync(locked, HttpStatusCode.TooManyRequests);
        Assert.NotNull(locked.Headers.RetryAfter);
    }

    [Fact]
    public async Task Me_tells_who_is_asking_and_needs_credentials()
    {
        using var user = await server.NewUserAsync();
        var me = await user.GetAsync<UserDto>("/api/auth/me");
        Assert.Equal(user.User.Id, me.Id);
        Assert.Equal(UserRole.User, me.Role);

        using var anon = server.Anonymous();
        await ProblemAssert.IsProblemAsync(await anon.Http.GetAsync("/api/auth/me", TestContext.Current.CancellationToken), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_forged_token_is_refused()
    {
        using var user = await server.NewUserAsync();
        var parts = user.Tokens!.AccessToken.Split('.');
        var forged = $"{parts[0]}.{parts[1]}.{new string('A', parts[2].Length)}";
        using var anon = server.Anonymous();
        anon.Http.DefaultRequestHeaders.Authorization = new("Bearer", forged);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anon.Http.GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).StatusCode);
    }
}

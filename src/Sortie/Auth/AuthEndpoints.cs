using Sortie.Access;
using Sortie.Platform;

namespace Sortie.Auth;

public static class AuthEndpoints
{
    public static void MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth");

        auth.MapPost("/login", async (LoginRequest body, AuthService service, HttpContext http, CancellationToken ct) =>
        {
            var user = await service.CheckPasswordAsync(body.Username, body.Password, http.Connection.RemoteIpAddress?.ToString(), ct);
            var pair = await service.IssueTokensAsync(user, ct);
            await AuthSetup.SignInCookieAsync(http, user);
            return TypedResults.Ok(pair);
        }).AllowAnonymous().WithSummary("Log in: a token pair for API clients and an HttpOnly cookie for the browser.");

        auth.MapPost("/refresh", async (RefreshRequest body, AuthService service, CancellationToken ct) =>
            TypedResults.Ok(await service.RefreshAsync(body.RefreshToken, ct)))
            .AllowAnonymous().WithSummary("Trade a refresh token for a new pair; each refresh token works once.");

        auth.MapPost("/logout", async (LogoutRequest? body, AuthService service, HttpContext http, SortieOptions options,
            CancellationToken ct) =>
        {
            // With the cookie alone, a page elsewhere could log the user out: only the portal's own pages may.
            if (AuthSetup.ByCookie(http) && !SameOrigin.Allows(http, options))
                throw ApiProblem.Forbidden("Logging out with the cookie must come from this portal's own pages.");
            await service.LogoutAsync(Caller.From(http).Id, body?.RefreshToken, ct);
            await AuthSetup.SignOutCookieAsync(http);
            return TypedResults.NoContent();
        }).RequireAuthorization()
          .WithSummary("Log out: revokes the given refresh token (or all of yours) and clears the cookie.");

        auth.MapPost("/password", async (ChangePasswordRequest body, AuthService service, HttpContext http, CancellationToken ct) =>
        {
            await service.ChangePasswordAsync(Caller.From(http), body.CurrentPassword, body.NewPassword, ct);
            await AuthSetup.SignOutCookieAsync(http);
            return TypedResults.NoContent();
        }).RequireAuthorization()
          .WithSummary("Change your password: every refresh token and browser login of the account ends (log in again).");

        auth.MapGet("/me", (HttpContext http) =>
        {
            var c = Caller.From(http);
            return TypedResults.Ok(new UserDto(c.Id, c.Username, c.Role));
        }).RequireAuthorization().WithSummary("Who am I.");
    }
}

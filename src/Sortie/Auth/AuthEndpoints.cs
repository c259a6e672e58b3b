using Sortie.Hosting;

namespace Sortie.Auth;

public sealed record LoginRequest(string Username, string Password);
public sealed record RefreshRequest(string RefreshToken);
public sealed record LogoutRequest(string? RefreshToken = null);
public sealed record ChangePasswordRequest(string CurrentPassword, string NewPassword);

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
            return TypedResults.Ok(new UserDto(c.Id, c.Username, c.Role.ToString().ToLowerInvariant()));
        }).RequireAuthorization().WithSummary("Who am I.");

        var users = app.MapGroup("/api/admin/users").WithTags("Admin").RequireAuthorization(Policies.Admin);
        users.MapPost("/", async (CreateUserRequest body, UserAdmin admin, CancellationToken ct) =>
        {
            var user = await admin.CreateAsync(body, ct);
            return TypedResults.Created($"/api/admin/users/{user.Id}", user);
        }).WithSummary("Create a user (role user or admin).");
        users.MapGet("/", async (UserAdmin admin, CancellationToken ct) => TypedResults.Ok(await admin.ListAsync(ct)))
            .WithSummary("List users.");
        users.MapDelete("/{id:guid}", async (Guid id, UserAdmin admin, HttpContext http, CancellationToken ct) =>
        {
            await admin.DeleteAsync(Caller.From(http), id, ct);
            return TypedResults.NoContent();
        }).WithSummary("Delete a user and end their sessions.");
    }
}

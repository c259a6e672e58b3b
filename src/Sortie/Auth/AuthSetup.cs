using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Sortie.Data;

namespace Sortie.Auth;

/// <summary>
/// Two ways in, one identity: API clients send a bearer token, browsers carry an HttpOnly cookie.
/// A policy scheme picks by the Authorization header, and both check on every request that the user
/// still exists with the same role, so a deleted or demoted account loses access at once.
/// </summary>
public static class AuthSetup
{
    public const string Scheme = "sortie";
    public const string CookieName = "sortie.auth";

    public static void AddSortieAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<SigningKey>();
        services.AddSingleton<Tokens>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddScoped<AuthService>();
        services.AddSingleton<UserAdmin>();

        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Bearer token or cookie", o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.Events = new JwtBearerEvents
                {
                    OnTokenValidated = async ctx =>
                    {
                        if (!await StillValidAsync(ctx.HttpContext, ctx.Principal)) ctx.Fail("The account no longer exists.");
                    },
                };
            })
            .AddCookie(o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                // Lax: a link from elsewhere still arrives logged in, but no other site can POST with it.
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.SlidingExpiration = true;
                o.LoginPath = "/login";
                o.Events = new CookieAuthenticationEvents
                {
                    OnValidatePrincipal = async ctx =>
                    {
                        if (!await StillValidAsync(ctx.HttpContext, ctx.Principal))
                        {
                            ctx.RejectPrincipal();
                            await ctx.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                        }
                    },
                    // The API and the gateway answer 401/403; only pages redirect to the login form.
                    OnRedirectToLogin = ctx => RedirectOrStatus(ctx, StatusCodes.Status401Unauthorized),
                    OnRedirectToAccessDenied = ctx => RedirectOrStatus(ctx, StatusCodes.Status403Forbidden),
                };
            });
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<Tokens>((o, tokens) => o.TokenValidationParameters = tokens.ValidationParameters());
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, p => p.RequireAuthenticatedUser().RequireClaim(SortieClaims.Role, "admin"));
    }

    public static Task SignInCookieAsync(HttpContext http, User user) =>
        http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            new ClaimsPrincipal(SortieClaims.Identity(user, CookieAuthenticationDefaults.AuthenticationScheme)));

    public static Task SignOutCookieAsync(HttpContext http) =>
        http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);

    /// <summary>True when the request was authenticated by the browser cookie rather than a bearer token.</summary>
    public static bool ByCookie(HttpContext http) =>
        !http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    private static async Task<bool> StillValidAsync(HttpContext http, ClaimsPrincipal? principal)
    {
        if (Caller.TryFrom(principal) is not { } caller) return false;
        var dbs = http.RequestServices.GetRequiredService<IDbContextFactory<SortieDb>>();
        await using var db = await dbs.CreateDbContextAsync(http.RequestAborted);
        var role = await db.Users.Where(u => u.Id == caller.Id).Select(u => (UserRole?)u.Role).SingleOrDefaultAsync(http.RequestAborted);
        return role == caller.Role;
    }

    private static Task RedirectOrStatus(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        var path = ctx.Request.Path;
        if (path.StartsWithSegments("/api") || path.StartsWithSegments("/ws") || path.StartsWithSegments("/openapi"))
            ctx.Response.StatusCode = status;
        else
            ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}

public static class Policies
{
    public const string Admin = "admin";
}

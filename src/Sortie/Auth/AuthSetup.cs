using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Sortie.Access;
using Sortie.Data;
using Sortie.Platform;

namespace Sortie.Auth;

/// <summary>
/// Two ways in, one identity: API clients send a bearer token, browsers carry an HttpOnly cookie.
/// A policy scheme picks by the Authorization header, and both check on every request that the user
/// still exists with the same role, so a deleted or demoted account loses access at once; a cookie also needs
/// its login still listed (<see cref="BrowserLogins"/>), so logging out ends it on the server too.
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
        services.AddSingleton<BrowserLogins>();
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddScoped<AuthService>();

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
                        if (!await StillValidAsync(ctx.HttpContext, ctx.Principal, byCookie: false))
                            ctx.Fail("The account no longer exists.");
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
                o.ExpireTimeSpan = BrowserLogins.Lifetime;
                o.SlidingExpiration = true;
                o.LoginPath = "/login";
                o.Events = new CookieAuthenticationEvents
                {
                    OnValidatePrincipal = async ctx =>
                    {
                        if (!await StillValidAsync(ctx.HttpContext, ctx.Principal, byCookie: true))
                        {
                            ctx.RejectPrincipal();
                            await ctx.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                        }
                    },
                    // The renewed cookie lasts longer: so must its login.
                    OnCheckSlidingExpiration = async ctx =>
                    {
                        if (ctx.ShouldRenew && BrowserLogins.LoginIdOf(ctx.Principal) is { } loginId)
                            await ctx.HttpContext.RequestServices.GetRequiredService<BrowserLogins>()
                                .RenewAsync(loginId, ctx.HttpContext.RequestAborted);
                    },
                    // The API and the gateway answer 401/403; only pages redirect to the login form.
                    OnRedirectToLogin = ctx => RedirectOrStatus(ctx, StatusCodes.Status401Unauthorized),
                    OnRedirectToAccessDenied = ctx => RedirectOrStatus(ctx, StatusCodes.Status403Forbidden),
                };
            });
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<Tokens>((o, tokens) => o.TokenValidationParameters = tokens.ValidationParameters());
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, p => p.RequireAuthenticatedUser().RequireClaim(SortieClaims.Role, SortieJson.Name(UserRole.Admin)));
    }

    /// <summary>Lists a new browser login and sets the cookie that names it.</summary>
    public static async Task SignInCookieAsync(HttpContext http, User user)
    {
        var loginId = await http.RequestServices.GetRequiredService<BrowserLogins>().StartAsync(user.Id, http.RequestAborted);
        var identity = SortieClaims.Identity(user, CookieAuthenticationDefaults.AuthenticationScheme);
        identity.AddClaim(new Claim(SortieClaims.LoginId, loginId.ToString()));
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
    }

    /// <summary>Ends the cookie's login on the server (a copy of the cookie is worth nothing from now on) and clears it.</summary>
    public static async Task SignOutCookieAsync(HttpContext http)
    {
        // The cookie's own principal: a request with a bearer token may carry the cookie too.
        var cookie = await http.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        if (BrowserLogins.LoginIdOf(cookie.Principal) is { } loginId && Caller.TryFrom(cookie.Principal) is { } caller)
        {
            await http.RequestServices.GetRequiredService<BrowserLogins>().EndAsync(loginId, CancellationToken.None);
            await http.RequestServices.GetRequiredService<IAccessChanges>().LoginsEndedAsync(caller.Id);
        }
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    /// <summary>True when the request was authenticated by the browser cookie rather than a bearer token.</summary>
    public static bool ByCookie(HttpContext http) =>
        !http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    private static Task<bool> StillValidAsync(HttpContext http, ClaimsPrincipal? principal, bool byCookie) =>
        http.RequestServices.GetRequiredService<BrowserLogins>().StillValidAsync(principal, byCookie, http.RequestAborted);

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

using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.FileProviders;
using Sortie.Auth;
using Sortie.Platform;

namespace Sortie.Ui;

public static class UiSetup
{
    public static void AddSortieUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler, EndedLoginCircuits>();
    }

    public static void MapSortieUi(this WebApplication app)
    {
        // noVNC's ES modules straight from its npm package: no bundler, no copy to keep in step.
        var novnc = Path.Combine(app.Environment.ContentRootPath, "node_modules", "@novnc", "novnc");
        if (Directory.Exists(novnc))
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(novnc), RequestPath = "/lib/novnc" });
        else
            app.Logger.LogWarning("noVNC is missing at {Path}: run ./run.sh (npm ci) so the session page can show desktops", novnc);

        app.MapStaticAssets();
        // Blazor's circuit (negotiate and WebSocket) acts with the cookie: only the portal's own pages may open one.
        var options = app.Services.GetRequiredService<SortieOptions>();
        app.Use((http, next) => http.Request.Path.StartsWithSegments("/_blazor") && !SameOrigin.Allows(http, options)
            ? throw ApiProblem.Forbidden("Blazor connections must come from this portal's own pages.")
            : next(http));
        // The layout's form carries Blazor's antiforgery token: another page cannot log the user out.
        app.MapPost("/logout", async (HttpContext http, IAntiforgery antiforgery) =>
        {
            // Already logged out (the token was made for the user the cookie named): nothing left to protect.
            if (http.User.Identity?.IsAuthenticated == true && !await antiforgery.IsRequestValidAsync(http))
                throw ApiProblem.BadRequest("The logout form is missing its antiforgery token or it is out of date: reload the page and log out again.");
            await AuthSetup.SignOutCookieAsync(http);
            return Results.LocalRedirect("/login");
        }).ExcludeFromDescription();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }
}

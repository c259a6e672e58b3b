using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.FileProviders;
using Sortie.Auth;

namespace Sortie.Ui;

public static class UiSetup
{
    public static void AddSortieUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddCascadingAuthenticationState();
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
        app.MapPost("/logout", async (HttpContext http, IAntiforgery antiforgery) =>
        {
            await AuthSetup.SignOutCookieAsync(http);
            return Results.LocalRedirect("/login");
        }).ExcludeFromDescription();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }
}

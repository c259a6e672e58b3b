using Sortie.Access;
using Sortie.Auth;

namespace Sortie.Apps;

public static class AppEndpoints
{
    public static void MapAppEndpoints(this IEndpointRouteBuilder app)
    {
        var apps = app.MapGroup("/api/apps").WithTags("Apps").RequireAuthorization();
        apps.MapGet("/", async (AppCatalog catalog, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await catalog.ListAsync(Caller.From(http), ct))).WithSummary("The app catalog.");
        apps.MapPost("/", async (AppRequest body, AppCatalog catalog, CancellationToken ct) =>
        {
            var created = await catalog.CreateAsync(body, ct);
            return TypedResults.Created($"/api/apps/{created.Id}", created);
        }).RequireAuthorization(Policies.Admin).WithSummary("Add an app (admins).");
        apps.MapPut("/{id:guid}", async (Guid id, AppRequest body, AppCatalog catalog, CancellationToken ct) =>
            TypedResults.Ok(await catalog.UpdateAsync(id, body, ct)))
            .RequireAuthorization(Policies.Admin).WithSummary("Replace an app's definition (admins).");
        apps.MapDelete("/{id:guid}", async (Guid id, AppCatalog catalog, CancellationToken ct) =>
        {
            await catalog.DeleteAsync(id, ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(Policies.Admin).WithSummary("Remove an app with no live session (admins).");
    }
}

using Sortie.Access;
using Sortie.Auth;

namespace Sortie.Users;

public static class UserEndpoints
{
    public static void MapUserEndpoints(this IEndpointRouteBuilder app)
    {
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

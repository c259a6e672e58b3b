using Sortie.Access;

namespace Sortie.Viewers;

public static class ViewerEndpoints
{
    public static void MapViewerEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/sessions/{id:guid}/viewers", async (Guid id, SessionLookup sessions, ViewerRoom room,
                HttpContext http, CancellationToken ct) =>
            {
                var session = await sessions.FindManagedAsync(Caller.From(http), id, "Only the session's owner or an admin may see who is watching.", ct);
                return TypedResults.Ok(await room.OfAsync(session.Id, ct));
            })
            .RequireAuthorization().WithTags("Sessions")
            .WithSummary("Who is connected to the session now (owner or admin).");
    }
}

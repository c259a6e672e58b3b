using Sortie.Auth;
using Sortie.Data;
using Sortie.Hosting;
using Sortie.Sessions;

namespace Sortie.Gateway;

/// <summary>A live connection as the session's owner sees it: who, with what permission, since when, and how they came.</summary>
public sealed record ViewerDto(Guid Id, string User, Guid UserId, SharePermission Permission, DateTime ConnectedAt, string Via)
{
    public static ViewerDto From(LiveConnection c) => new(c.Id, c.Username, c.UserId, c.Permission, c.ConnectedAt, c.Via);

    public static string ViaName(AccessVia via) => via.ToString().ToLowerInvariant();
}

public static class ViewerEndpoints
{
    public static void MapViewerEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/sessions/{id}/viewers", async (string id, SessionManager sessions, Presence presence,
                HttpContext http, CancellationToken ct) =>
            {
                var (session, access) = await sessions.FindAsync(Caller.From(http), SessionEndpoints.ParseId(id), ct);
                if (!access.CanManage) throw ApiProblem.Forbidden("Only the session's owner or an admin may see who is watching.");
                return TypedResults.Ok(await presence.OfAsync(session.Id, ct));
            })
            .RequireAuthorization().WithTags("Sessions")
            .WithSummary("Who is connected to the session now (owner or admin).");
    }
}

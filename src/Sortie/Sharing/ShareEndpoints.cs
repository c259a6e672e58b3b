using Sortie.Access;
using Sortie.Platform;
using Sortie.Sessions;

namespace Sortie.Sharing;

public static class ShareEndpoints
{
    public static void MapShareEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/sessions").WithTags("Sharing").RequireAuthorization();

        api.MapPost("/{id:guid}/shares", async (Guid id, CreateShareRequest body, SharingService sharing, HttpContext http, CancellationToken ct) =>
        {
            var share = await sharing.CreateAsync(Caller.From(http), id, body, ct);
            return TypedResults.Created($"/api/sessions/{share.SessionId}/shares/{share.Id}", share);
        }).WithSummary("Share a running desktop session with a user, or as a link (owner or admin).");

        api.MapGet("/{id:guid}/shares", async (Guid id, int? limit, string? before, SharingService sharing, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await sharing.ListAsync(Caller.From(http), id, ct, limit ?? 100,
                before is null ? null : ParseShareId(before))))
            .WithSummary("The session's active shares, newest first (owner or admin); page with ?limit= and ?before={share id}.");

        api.MapPatch("/{id:guid}/shares/{shareId:guid}", async (Guid id, Guid shareId, ChangeShareRequest body, SharingService sharing,
                HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await sharing.ChangeAsync(Caller.From(http), id, shareId, body, ct)))
            .WithSummary("Change a share's permission; its live viewers reconnect with the new one.");

        api.MapDelete("/{id:guid}/shares/{shareId:guid}", async (Guid id, Guid shareId, SharingService sharing, HttpContext http, CancellationToken ct) =>
        {
            await sharing.RevokeAsync(Caller.From(http), id, shareId, ct);
            return TypedResults.NoContent();
        }).WithSummary("Revoke a share (a link: with everyone who joined through it); live viewers are disconnected.");

        api.MapGet("/shared", async (SessionManager sessions, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await sessions.ListSharedAsync(Caller.From(http), ct)))
            .WithSummary("Live sessions shared with you.");

        api.MapDelete("/shared/{id:guid}", async (Guid id, SharingService sharing, HttpContext http, CancellationToken ct) =>
        {
            await sharing.LeaveAsync(Caller.From(http), id, ct);
            return TypedResults.NoContent();
        }).WithSummary("Remove a session shared with you from your list (and give up your access).");

        api.MapPost("/shares/join", async (JoinRequest body, SharingService sharing, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await sharing.JoinAsync(Caller.From(http), body.Token, ct)))
            .WithSummary("Join a session through a share link's token.");
    }

    private static Guid ParseShareId(string id) =>
        Guid.TryParse(id, out var guid) ? guid : throw ApiProblem.NotFound("This session has no such share.");
}

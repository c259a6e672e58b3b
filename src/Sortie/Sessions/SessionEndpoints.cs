using Sortie.Access;

namespace Sortie.Sessions;

public static class SessionEndpoints
{
    public static void MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        var sessions = app.MapGroup("/api/sessions").WithTags("Sessions").RequireAuthorization();

        sessions.MapPost("/", async (CreateSessionRequest body, SessionManager manager, HttpContext http, CancellationToken ct) =>
        {
            var session = await manager.LaunchAsync(Caller.From(http), body, ct);
            return TypedResults.Created($"/api/sessions/{session.Id}", session);
        }).WithSummary("Launch an app as a session; it starts as 'creating' and turns 'running' (or 'failed').");

        sessions.MapGet("/", async (bool? all, SessionManager manager, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await manager.ListAsync(Caller.From(http), all == true, ct)))
            .WithSummary("Your live sessions; admins may ask for everyone's with ?all=true.");

        sessions.MapGet("/{id:guid}", async (Guid id, SessionManager manager, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await manager.GetAsync(Caller.From(http), id, ct)))
            .WithSummary("One session: its owner or an admin.");

        sessions.MapDelete("/{id:guid}", async (Guid id, SessionManager manager, HttpContext http, CancellationToken ct) =>
        {
            await manager.TerminateAsync(Caller.From(http), id, ct);
            return TypedResults.NoContent();
        }).WithSummary("End a session: its processes stop and its viewers are disconnected.");
    }
}

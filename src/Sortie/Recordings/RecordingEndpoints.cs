using Sortie.Access;

namespace Sortie.Recordings;

public static class RecordingEndpoints
{
    public static void MapRecordingEndpoints(this IEndpointRouteBuilder app)
    {
        var recordings = app.MapGroup("/api/recordings").WithTags("Recordings").RequireAuthorization();

        recordings.MapGet("/", async (RecordingManager manager, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await manager.ListAsync(Caller.From(http), ct)))
            .WithSummary("Recordings of your sessions, newest first; an admin sees everyone's.");

        recordings.MapGet("/{id:guid}", async (Guid id, RecordingManager manager, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await manager.GetAsync(Caller.From(http), id, ct)))
            .WithSummary("One recording: its session's owner or an admin.");

        recordings.MapGet("/{id:guid}/file", async (Guid id, RecordingManager manager, HttpContext http, CancellationToken ct) =>
        {
            var path = await manager.OpenFileAsync(Caller.From(http), id, ct);
            // Shared for reading while it may still grow; ranges let a player fetch what it lacks.
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return TypedResults.File(file, RecordingFile.ContentType, $"recording-{id:N}{RecordingFile.Extension}", enableRangeProcessing: true);
        }).WithSummary("The recording's file (docs/recording-format.md), for download or the player; audited as recording.viewed.");

        recordings.MapDelete("/{id:guid}", async (Guid id, RecordingManager manager, HttpContext http, CancellationToken ct) =>
        {
            await manager.DeleteAsync(Caller.From(http), id, ct);
            return TypedResults.NoContent();
        }).WithSummary("Delete an ended recording and its file (one made under an app recorded always: admins only).");

        var sessions = app.MapGroup("/api/sessions").WithTags("Recordings").RequireAuthorization();

        sessions.MapGet("/{id:guid}/recording", async (Guid id, RecordingManager manager, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await manager.StateAsync(Caller.From(http), id, ct)))
            .WithSummary("Whether the session is recorded now, and whether it may be (anyone who may see the session).");

        sessions.MapPost("/{id:guid}/recording", async (Guid id, RecordingRequest body, RecordingManager manager, HttpContext http,
            CancellationToken ct) => TypedResults.Ok(await manager.SetAsync(Caller.From(http), id, body.Enabled, ct)))
            .WithSummary("Start or stop the session's recording: its owner or an admin, as the app allows.");
    }
}

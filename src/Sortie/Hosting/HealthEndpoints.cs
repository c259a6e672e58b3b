using Microsoft.EntityFrameworkCore;
using Sortie.Data;
using Sortie.Runners;

using Sortie.Platform;

namespace Sortie.Hosting;

public static class HealthEndpoints
{
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).AllowAnonymous().WithTags("Health")
            .WithSummary("The process is up.");
        app.MapGet("/readyz", async (IDbContextFactory<SortieDb> dbs, ISessionRunner runner, SortieOptions options, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var database = await db.Database.CanConnectAsync(ct) ? "ok" : "unreachable";
            var sessions = runner.Problem() ?? "ok";
            var disk = DiskSpace.Problem(options.DataDir) ?? "ok";
            var ready = database == "ok" && sessions == "ok" && disk == "ok";
            return Results.Json(new { status = ready ? "ready" : "not ready", database, runner = sessions, disk },
                statusCode: ready ? 200 : 503);
        }).AllowAnonymous().WithTags("Health").WithSummary("The database, the session runner and the data dir's disk can serve.");
    }
}

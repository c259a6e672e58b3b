using Sortie.Access;
using Sortie.Auth;

namespace Sortie.Audit;

public static class AuditEndpoints
{
    public static void MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/admin/audit", async (int? limit, long? before, AuditLog audit, CancellationToken ct) =>
            TypedResults.Ok(await audit.ReadAllAsync(limit ?? 100, before, ct)))
            .RequireAuthorization(Policies.Admin).WithTags("Admin")
            .WithSummary("The audit log, newest first; page with ?before={id}.");
        app.MapGet("/api/sessions/{id:guid}/audit", async (Guid id, int? limit, long? before, AuditLog audit, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await audit.ReadSessionAsync(Caller.From(http), id, limit ?? 100, before, ct)))
            .RequireAuthorization().WithTags("Sessions")
            .WithSummary("A session's audit log (owner or admin), newest first.");
    }
}

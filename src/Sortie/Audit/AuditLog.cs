using Microsoft.EntityFrameworkCore;
using Sortie.Access;
using Sortie.Data;
using Sortie.Platform;

namespace Sortie.Audit;

/// <summary>The record of who changed or used a session's access, for admins and owners to read.</summary>
public sealed class AuditLog(IDbContextFactory<SortieDb> dbs, SessionLookup sessions, TimeProvider clock)
{
    public const int MaxPage = 500;

    /// <summary>Adds an event to a unit of work the caller saves (so the event and the change it records commit together).</summary>
    public void Add(SortieDb db, string action, Caller? actor, Guid? sessionId, Guid? shareId = null, string? subject = null, string detail = "") =>
        db.Audit.Add(new AuditEvent
        {
            At = clock.GetUtcNow().UtcDateTime, Action = action, ActorId = actor?.Id, ActorName = actor?.Username ?? "sortie",
            Address = actor?.Address, SessionId = sessionId, ShareId = shareId, Subject = subject, Detail = detail,
        });

    public async Task WriteAsync(string action, Caller? actor, Guid? sessionId, Guid? shareId = null, string? subject = null, string detail = "")
    {
        await using var db = await dbs.CreateDbContextAsync();
        Add(db, action, actor, sessionId, shareId, subject, detail);
        await db.SaveChangesAsync();
    }

    /// <summary>Everything, newest first (admins: its endpoint's policy says so).</summary>
    public Task<IReadOnlyList<AuditEventDto>> ReadAllAsync(int limit, long? before, CancellationToken ct) =>
        ReadAsync(null, limit, before, ct);

    /// <summary>One session's events, newest first: its owner or an admin.</summary>
    public async Task<IReadOnlyList<AuditEventDto>> ReadSessionAsync(Caller caller, Guid sessionId, int limit, long? before, CancellationToken ct)
    {
        await sessions.FindManagedAsync(caller, sessionId, "Only the session's owner or an admin may read its audit log.", ct);
        return await ReadAsync(sessionId, limit, before, ct);
    }

    private async Task<IReadOnlyList<AuditEventDto>> ReadAsync(Guid? sessionId, int limit, long? before, CancellationToken ct)
    {
        if (limit is < 1 or > MaxPage) throw ApiProblem.BadRequest($"The limit must be between 1 and {MaxPage}.");
        await using var db = await dbs.CreateDbContextAsync(ct);
        var events = await db.Audit.AsNoTracking()
            .Where(e => sessionId == null || e.SessionId == sessionId)
            .Where(e => before == null || e.Id < before)
            .OrderByDescending(e => e.Id).Take(limit).ToListAsync(ct);
        return events.Select(AuditEventDto.From).ToList();
    }
}

using Microsoft.EntityFrameworkCore;
using Sortie.Auth;
using Sortie.Data;
using Sortie.Hosting;
using Sortie.Sessions;

namespace Sortie.Audit;

public static class AuditActions
{
    public const string ShareCreated = "share.created";
    public const string ShareChanged = "share.changed";
    public const string ShareRevoked = "share.revoked";
    public const string ShareJoined = "share.joined";
    public const string ShareExpired = "share.expired";
    public const string ShareLeft = "share.left";
    public const string ViewerConnected = "viewer.connected";
    public const string ViewerDisconnected = "viewer.disconnected";
}

public sealed record AuditEventDto(long Id, DateTime At, string Action, Guid? ActorId, string ActorName, string? Address,
    Guid? SessionId, Guid? ShareId, string? Subject, string Detail)
{
    public static AuditEventDto From(AuditEvent e) =>
        new(e.Id, e.At, e.Action, e.ActorId, e.ActorName, e.Address, e.SessionId, e.ShareId, e.Subject, e.Detail);
}

/// <summary>The record of who changed or used a session's access, for admins and owners to read.</summary>
public sealed class AuditLog(IDbContextFactory<SortieDb> dbs, SessionManager sessions, TimeProvider clock)
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

    /// <summary>Everything, newest first (admins).</summary>
    public async Task<IReadOnlyList<AuditEventDto>> ReadAllAsync(Caller caller, int limit, long? before, CancellationToken ct)
    {
        if (!caller.IsAdmin) throw ApiProblem.Forbidden("Only admins may read the whole audit log.");
        return await ReadAsync(null, limit, before, ct);
    }

    /// <summary>One session's events, newest first: its owner or an admin.</summary>
    public async Task<IReadOnlyList<AuditEventDto>> ReadSessionAsync(Caller caller, Guid sessionId, int limit, long? before, CancellationToken ct)
    {
        var (_, access) = await sessions.FindAsync(caller, sessionId, ct);
        if (!access.CanManage) throw ApiProblem.Forbidden("Only the session's owner or an admin may read its audit log.");
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

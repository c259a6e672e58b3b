using Microsoft.EntityFrameworkCore;
using Sortie.Data;
using Sortie.Platform;

namespace Sortie.Access;

/// <summary>Finds a session as a given caller sees it: with how they reach it, or not at all (404) when they may not.</summary>
public sealed class SessionLookup(IDbContextFactory<SortieDb> dbs, TimeProvider clock)
{
    /// <summary>The session (with its app and owner) and how the caller reaches it; 404 when they may not.</summary>
    public async Task<(Session Session, SessionAccess Access)> FindAsync(Caller caller, Guid id, CancellationToken ct)
    {
        var (session, access) = await TryFindAsync(caller, id, ct);
        return access.CanSee ? (session!, access) : throw ApiProblem.NotFound("There is no such session.");
    }

    /// <summary>A session the caller manages (its owner, or an admin): 404 when they may not see it, 403 when they only watch it.</summary>
    public async Task<Session> FindManagedAsync(Caller caller, Guid id, string forbidden, CancellationToken ct)
    {
        var (session, access) = await FindAsync(caller, id, ct);
        return access.CanManage ? session : throw ApiProblem.Forbidden(forbidden);
    }

    /// <summary>How the caller reaches a session (<see cref="SessionAccess.None"/> when they do not).</summary>
    public async Task<SessionAccess> FindAccessAsync(Caller caller, Guid id, CancellationToken ct) =>
        (await TryFindAsync(caller, id, ct)).Access;

    public async Task<bool> IsRunningAsync(Guid id)
    {
        await using var db = await dbs.CreateDbContextAsync();
        return await db.Sessions.Running().AnyAsync(s => s.Id == id);
    }

    private async Task<(Session? Session, SessionAccess Access)> TryFindAsync(Caller caller, Guid id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var session = await WithAppAndOwner(db).SingleOrDefaultAsync(s => s.Id == id, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        return (session, session is null ? SessionAccess.None : await SessionAccess.OfAsync(db, caller, session, now, ct));
    }

    /// <summary>Sessions read for showing: with their app and owner, untracked.</summary>
    public static IQueryable<Session> WithAppAndOwner(SortieDb db) => db.Sessions.AsNoTracking().Include(s => s.App).Include(s => s.Owner);
}

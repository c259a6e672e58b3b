using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Sortie.Access;
using Sortie.Data;

namespace Sortie.Auth;

/// <summary>
/// The server's side of sign-in cookies (<see cref="BrowserLogin"/> rows): a cookie is accepted only while its login
/// is listed, so logging out, a password change or deleting the account ends it at once, on every replica.
/// </summary>
public sealed class BrowserLogins(IDbContextFactory<SortieDb> dbs, TimeProvider clock)
{
    /// <summary>How long a cookie lasts unused; each use past half of it renews it (sliding expiration).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    /// <summary>Lists a new login of the user; its id goes into the cookie.</summary>
    public async Task<Guid> StartAsync(Guid userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var login = new BrowserLogin { UserId = userId, CreatedAt = now, ExpiresAt = now + Lifetime };
        await using var db = await dbs.CreateDbContextAsync(ct);
        db.BrowserLogins.Add(login);
        await db.SaveChangesAsync(ct);
        return login.Id;
    }

    /// <summary>The cookie slid: its login lasts as long as the renewed cookie.</summary>
    public async Task RenewAsync(Guid loginId, CancellationToken ct)
    {
        var expiresAt = clock.GetUtcNow().UtcDateTime + Lifetime;
        await using var db = await dbs.CreateDbContextAsync(ct);
        await db.BrowserLogins.Where(l => l.Id == loginId).ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, expiresAt), ct);
    }

    public async Task EndAsync(Guid loginId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await db.BrowserLogins.Where(l => l.Id == loginId).ExecuteDeleteAsync(ct);
    }

    /// <summary>Logs the user out of every browser (after a password change).</summary>
    public async Task EndAllOfAsync(Guid userId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await db.BrowserLogins.Where(l => l.UserId == userId).ExecuteDeleteAsync(ct);
    }

    /// <summary>Forgets logins whose cookies have expired.</summary>
    public async Task SweepExpiredAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbs.CreateDbContextAsync(ct);
        await db.BrowserLogins.Where(l => l.ExpiresAt <= now).ExecuteDeleteAsync(ct);
    }

    /// <summary>
    /// Whether the principal still stands, in one query: the account exists with the same role and, for a cookie,
    /// its login is still listed. A cookie without a login id (issued before logins were listed) stands no more.
    /// </summary>
    public async Task<bool> StillValidAsync(ClaimsPrincipal? principal, bool byCookie, CancellationToken ct)
    {
        if (Caller.TryFrom(principal) is not { } caller) return false;
        var loginId = byCookie ? LoginIdOf(principal) : null;
        if (byCookie && loginId is null) return false;
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbs.CreateDbContextAsync(ct);
        await foreach (var found in StandingQuery.For(db)(db, caller.Id, loginId, now).WithCancellation(ct))
            return found.Role == caller.Role && found.LoggedIn; // one row at most: the user's
        return false;
    }

    private sealed record Standing(UserRole Role, bool LoggedIn);

    // Compiled once: every authenticated request runs it, and EF's reading of a LINQ query at each call cost more CPU
    // than the query itself (docs/benchmarks.md, "API profile").
    private static readonly PerModel<Func<SortieDb, Guid, Guid?, DateTime, IAsyncEnumerable<Standing>>> StandingQuery = new(() => EF.CompileAsyncQuery(
        (SortieDb db, Guid userId, Guid? loginId, DateTime now) => db.Users.Where(u => u.Id == userId)
            .Select(u => new Standing(u.Role,
                loginId == null || db.BrowserLogins.Any(l => l.Id == loginId && l.UserId == u.Id && l.ExpiresAt > now)))));

    public static Guid? LoginIdOf(ClaimsPrincipal? principal) =>
        Guid.TryParse(principal?.FindFirstValue(SortieClaims.LoginId), out var id) ? id : null;
}

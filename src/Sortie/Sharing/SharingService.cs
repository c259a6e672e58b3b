using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Sortie.Access;
using Sortie.Audit;
using Sortie.Auth;
using Sortie.Data;
using Sortie.Events;
using Sortie.Platform;
using Sortie.Sessions;

namespace Sortie.Sharing;

/// <summary>
/// Owners (and admins) share running desktop sessions by invite or by link; users join links and
/// leave shares. Every change is audited, and takes effect on live connections at once.
/// </summary>
public sealed class SharingService(
    IDbContextFactory<SortieDb> dbs,
    SessionManager sessions,
    SessionLookup lookup,
    IAccessChanges access,
    EventHub events,
    AuditLog audit,
    JoinLimiter joinLimiter,
    SortieMetrics metrics,
    IDataProtectionProvider protection,
    PublicAddress address,
    TimeProvider clock)
{
    public const string JoinPath = "/join/";
    private const string BadLink = "This link does not work: it may be wrong, revoked, expired or used up.";
    private readonly IDataProtector _sealer = protection.CreateProtector("Sortie.Sharing.LinkToken");

    public async Task<ShareDto> CreateAsync(Caller caller, Guid sessionId, CreateShareRequest request, CancellationToken ct)
    {
        var session = await ManagedSessionAsync(caller, sessionId, ct);
        var byUser = request.Username is not null;
        var byLink = request.LinkShare == true;
        if (byUser == byLink)
            throw ApiProblem.BadRequest("Give either a username to invite, or \"link_share\": true for a link (not both).");
        if (!Enum.IsDefined(request.Permission)) throw ApiProblem.BadRequest("The permission must be read_only or read_write.");
        if (byUser && (request.ExpiresIn is not null || request.ExpiresAt is not null || request.MaxUses is not null))
            throw ApiProblem.BadRequest("expires_in, expires_at and max_uses apply to links only.");
        var expiresAt = byLink ? LinkExpiry(request) : null;
        if (request.MaxUses is < 1) throw ApiProblem.BadRequest("max_uses must be at least 1.");
        EnsureShareable(session);

        await using var db = await dbs.CreateDbContextAsync(ct);
        var share = new Share
        {
            SessionId = session.Id, Permission = request.Permission, CreatedAt = Now,
            CreatedById = caller.Id, CreatedByName = caller.Username,
        };
        string? token = null;
        if (byUser)
        {
            var username = request.Username!.Trim().ToLowerInvariant();
            var user = await db.Users.SingleOrDefaultAsync(u => u.Username == username, ct)
                ?? throw ApiProblem.NotFound($"There is no user named '{ApiProblem.Echo(username)}'.");
            if (user.Id == caller.Id) throw ApiProblem.BadRequest("You cannot share a session with yourself.");
            if (user.Id == session.OwnerId) throw ApiProblem.BadRequest($"'{username}' owns this session and always has full access.");
            if (await db.Shares.AnyAsync(s => s.SessionId == session.Id && s.UserId == user.Id, ct))
                throw AlreadyShared(username);
            share.Kind = ShareKind.User;
            share.UserId = user.Id;
            share.User = user;
        }
        else
        {
            token = Tokens.NewOpaqueToken();
            share.Kind = ShareKind.Link;
            share.TokenHash = Tokens.Hash(token);
            share.TokenSealed = _sealer.Protect(token);
            share.ExpiresAt = expiresAt;
            share.MaxUses = request.MaxUses;
        }
        db.Shares.Add(share);
        audit.Add(db, AuditActions.ShareCreated, caller, session.Id, share.Id, share.User?.Username ?? "link", SortieJson.Name(share.Permission));
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) when (byUser) { throw AlreadyShared(share.User!.Username); } // a concurrent invite won
        Publish(session.Id, [session.OwnerId, .. share.UserId is { } invited ? [invited] : Array.Empty<Guid>()]);
        return ToDto(share, share.User?.Username, token);
    }

    /// <summary>The most shares one page lists.</summary>
    public const int MaxPage = 500;

    /// <summary>
    /// The session's live shares, newest first: invites, links, and users who joined through a link. A page of at most
    /// <paramref name="limit"/>, after the share <paramref name="before"/> (the last of the previous page) if given.
    /// </summary>
    public async Task<IReadOnlyList<ShareDto>> ListAsync(Caller caller, Guid sessionId, CancellationToken ct, int limit = 100, Guid? before = null)
    {
        if (limit is < 1 or > MaxPage) throw ApiProblem.BadRequest($"The limit must be between 1 and {MaxPage}.");
        await ManagedSessionAsync(caller, sessionId, ct);
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = Now;
        var shares = SessionAccess.Standing(db.Shares.AsNoTracking().Where(s => s.SessionId == sessionId), now);
        if (before is { } after)
        {
            var last = await db.Shares.AsNoTracking().Where(s => s.Id == after && s.SessionId == sessionId)
                .Select(s => (DateTime?)s.CreatedAt).SingleOrDefaultAsync(ct) ?? throw NoSuchShare();
            shares = shares.Where(s => s.CreatedAt < last || (s.CreatedAt == last && s.Id.CompareTo(after) < 0));
        }
        var page = await shares.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).Take(limit)
            .Include(s => s.User).Include(s => s.ViaLink).ToListAsync(ct);
        return page.Select(s => ToDto(s, s.User?.Username, s.TokenSealed is null ? null : _sealer.Unprotect(s.TokenSealed))).ToList();
    }

    /// <summary>Changes a share's permission; its live viewers reconnect with the new one.</summary>
    public async Task<ShareDto> ChangeAsync(Caller caller, Guid sessionId, Guid shareId, ChangeShareRequest request, CancellationToken ct)
    {
        await ManagedSessionAsync(caller, sessionId, ct);
        if (!Enum.IsDefined(request.Permission)) throw ApiProblem.BadRequest("The permission must be read_only or read_write.");
        await using var db = await dbs.CreateDbContextAsync(ct);
        var share = await FindShareAsync(db, sessionId, shareId, ct);
        if (share.ViaLinkId is not null)
            throw ApiProblem.Conflict("This user joined through a link and has the link's permission: change the link instead.");
        var before = share.Permission;
        var holders = await HoldersAsync(db, share, ct);
        share.Permission = request.Permission;
        if (before != share.Permission)
            audit.Add(db, AuditActions.ShareChanged, caller, sessionId, share.Id, share.User?.Username ?? "link",
                $"{SortieJson.Name(before)} -> {SortieJson.Name(share.Permission)}");
        await db.SaveChangesOrAsync(NoSuchShare(), ct);
        if (before != share.Permission)
        {
            await access.SessionChangedAsync(sessionId);
            Publish(sessionId, holders);
        }
        return ToDto(share, share.User?.Username, share.TokenSealed is null ? null : _sealer.Unprotect(share.TokenSealed));
    }

    /// <summary>Revokes a share; a link takes with it the access of everyone who joined through it.</summary>
    public async Task RevokeAsync(Caller caller, Guid sessionId, Guid shareId, CancellationToken ct)
    {
        await ManagedSessionAsync(caller, sessionId, ct);
        await using var db = await dbs.CreateDbContextAsync(ct);
        var share = await FindShareAsync(db, sessionId, shareId, ct);
        var holders = await HoldersAsync(db, share, ct); // before the link's joins go with it
        db.Shares.Remove(share);
        audit.Add(db, AuditActions.ShareRevoked, caller, sessionId, share.Id, share.User?.Username ?? "link", SortieJson.Name(share.Permission));
        await db.SaveChangesOrAsync(NoSuchShare(), ct);
        metrics.Revoked();
        await access.SessionChangedAsync(sessionId);
        Publish(sessionId, holders);
    }

    /// <summary>
    /// Joins a session through a link. Every way a link can fail answers the same 404. A join takes one of
    /// the link's uses atomically; joining again, or holding access already, takes none.
    /// </summary>
    public async Task<SessionDto> JoinAsync(Caller caller, string? token, CancellationToken ct)
    {
        // Counted here, so joins through the web page (/join/{token}) count as the API's do.
        try
        {
            var joined = await JoinOnceAsync(caller, token, ct);
            metrics.Joined();
            return joined;
        }
        catch (ApiProblem)
        {
            metrics.JoinRefused(); // a link that does not work, or too many attempts
            throw;
        }
    }

    private async Task<SessionDto> JoinOnceAsync(Caller caller, string? token, CancellationToken ct)
    {
        if (!joinLimiter.TryAcquire(caller.Id, caller.Address))
            throw ApiProblem.TooMany("Too many attempts to join. Wait a minute and try again.", 60);
        var now = Now;
        await using var db = await dbs.CreateDbContextAsync(ct);
        var link = await FindLinkAsync(db, token, now, ct) ?? throw ApiProblem.NotFound(BadLink);

        // The owner and admins have access already; so may the caller, by invite or an earlier join. The link's
        // session was just read with its app and owner, as SessionManager reads it: no need to read it again.
        var current = await SessionAccess.OfAsync(db, caller, link.Session, now, ct);
        if (current.CanSee) return SessionDto.From(link.Session, current);

        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var joined = new Share
            {
                SessionId = link.SessionId, Kind = ShareKind.User, UserId = caller.Id, ViaLinkId = link.Id,
                Permission = link.Permission, CreatedAt = now, CreatedById = link.CreatedById, CreatedByName = link.CreatedByName,
            };
            db.Shares.Add(joined);
            audit.Add(db, AuditActions.ShareJoined, caller, link.SessionId, joined.Id, caller.Username, SortieJson.Name(link.Permission));
            try
            {
                await db.SaveChangesAsync(ct);
                // The use is taken last: every join of a link locks the link's row, so it is held only until the
                // commit (taken first, a crowd joining one link at once queued on it for longer than a request lasts).
                var taken = await db.Shares
                    .Where(s => s.Id == link.Id && (s.MaxUses == null || s.Uses < s.MaxUses) && (s.ExpiresAt == null || s.ExpiresAt > now))
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.Uses, x => x.Uses + 1), ct);
                if (taken == 0) throw ApiProblem.NotFound(BadLink); // the transaction rolls back as it is disposed
                await tx.CommitAsync(ct);
            }
            catch (DbUpdateException)
            {
                // The same user joined twice at once: the other request won, and this one takes no use.
                await tx.RollbackAsync(ct);
            }
        }
        Publish(link.SessionId, [link.Session.OwnerId, caller.Id]);
        return await sessions.GetAsync(caller, link.SessionId, ct);
    }

    /// <summary>
    /// Whose session a link leads to, for the login page to say so; null for a link that does not work (wrong,
    /// revoked, expired, used up, or its session ended), which the page does not tell apart. Only looks: takes no use.
    /// </summary>
    public async Task<LinkPreview?> PreviewAsync(string? token, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var link = await FindLinkAsync(db, token, Now, ct);
        if (link is null || link.MaxUses <= link.Uses) return null;
        var recorded = link.Session.App.Recording == RecordingPolicy.Always
            || await db.Recordings.AnyAsync(r => r.SessionId == link.SessionId && r.EndedAt == null, ct);
        return new LinkPreview(link.Session.Owner.Username, link.Session.App.Name, recorded);
    }

    /// <summary>The link a token names, while it and its session are live; null otherwise.</summary>
    private static async Task<Share?> FindLinkAsync(SortieDb db, string? token, DateTime now, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 128) return null;
        Share? link = null;
        await foreach (var found in LinkQuery.For(db)(db, Tokens.Hash(token.Trim())).WithCancellation(ct)) link = found; // unique hash
        return link is null || !link.Session.IsLive || link.ExpiresAt <= now ? null : link;
    }

    // Compiled once, as every join runs it (see SessionAccess.GrantsAsync).
    private static readonly PerModel<Func<SortieDb, string, IAsyncEnumerable<Share>>> LinkQuery = new(() => EF.CompileAsyncQuery(
        (SortieDb db, string hash) => db.Shares.AsNoTracking().Include(s => s.Session).ThenInclude(s => s.Owner)
            .Include(s => s.Session).ThenInclude(s => s.App)
            .Where(s => s.Kind == ShareKind.Link && s.TokenHash == hash)));

    /// <summary>A shared user removes a session from their own list, giving up their access.</summary>
    public async Task LeaveAsync(Caller caller, Guid sessionId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var share = await db.Shares.Include(s => s.Session).SingleOrDefaultAsync(s => s.SessionId == sessionId && s.UserId == caller.Id, ct)
            ?? throw NotSharedWithYou();
        db.Shares.Remove(share);
        audit.Add(db, AuditActions.ShareLeft, caller, sessionId, share.Id, caller.Username);
        await db.SaveChangesOrAsync(NotSharedWithYou(), ct);
        await access.SessionChangedAsync(sessionId);
        Publish(sessionId, [share.Session.OwnerId, caller.Id]);
    }

    /// <summary>Removes links past their expiry, with the access they gave, and disconnects those viewers.</summary>
    public async Task SweepExpiredLinksAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = Now;
        var expired = await db.Shares
            .Where(s => s.Kind == ShareKind.Link && s.ExpiresAt != null && s.ExpiresAt <= now).ToListAsync(ct);
        if (expired.Count == 0) return;
        var holders = new Dictionary<Guid, List<Guid>>();
        foreach (var link in expired)
        {
            holders[link.Id] = await HoldersAsync(db, link, ct);
            db.Shares.Remove(link);
            audit.Add(db, AuditActions.ShareExpired, null, link.SessionId, link.Id, "link", SortieJson.Name(link.Permission));
        }
        await db.SaveChangesAsync(ct);
        foreach (var link in expired)
        {
            await access.SessionChangedAsync(link.SessionId);
            Publish(link.SessionId, holders[link.Id]);
        }
    }

    private void Publish(Guid sessionId, IEnumerable<Guid> users) => events.Publish(PortalEvent.SharesChanged, sessionId, users);

    /// <summary>Whom a share concerns: the session's owner, and the user it gives access to (for a link, everyone who joined).</summary>
    private static async Task<List<Guid>> HoldersAsync(SortieDb db, Share share, CancellationToken ct)
    {
        var users = await db.Shares.Where(s => (s.Id == share.Id || s.ViaLinkId == share.Id) && s.UserId != null)
            .Select(s => s.UserId!.Value).ToListAsync(ct);
        users.Add(await db.Sessions.Where(s => s.Id == share.SessionId).Select(s => s.OwnerId).SingleAsync(ct));
        return users;
    }

    private Task<Session> ManagedSessionAsync(Caller caller, Guid sessionId, CancellationToken ct) =>
        lookup.FindManagedAsync(caller, sessionId, "Only the session's owner or an admin may manage its shares.", ct);

    private static void EnsureShareable(Session session)
    {
        if (!SessionAccess.IsShareable(session.App.LaunchType))
            throw ApiProblem.BadRequest($"'{session.App.Name}' is not a desktop app: only desktop (container) sessions can be shared.");
        if (session.Status != SessionStatus.Running)
            throw ApiProblem.Conflict($"The session is {SortieJson.Name(session.Status)}: only a running session can be shared.");
    }

    private DateTime? LinkExpiry(CreateShareRequest request)
    {
        if (request.ExpiresIn is not null && request.ExpiresAt is not null)
            throw ApiProblem.BadRequest("Give expires_in or expires_at, not both.");
        if (request.ExpiresIn is { } seconds)
            return seconds is >= 1 and <= 366L * 24 * 3600 ? Now.AddSeconds(seconds)
                : throw ApiProblem.BadRequest("expires_in must be from 1 second to a year.");
        if (request.ExpiresAt is { } at)
            return at.UtcDateTime > Now ? at.UtcDateTime : throw ApiProblem.BadRequest("expires_at is in the past.");
        return null;
    }

    private static async Task<Share> FindShareAsync(SortieDb db, Guid sessionId, Guid shareId, CancellationToken ct) =>
        // A share of another session is not found here: never act on it.
        await db.Shares.Include(s => s.User).SingleOrDefaultAsync(s => s.Id == shareId && s.SessionId == sessionId, ct)
            ?? throw NoSuchShare();

    private static ApiProblem NoSuchShare() => ApiProblem.NotFound("This session has no such share.");

    private static ApiProblem NotSharedWithYou() => ApiProblem.NotFound("This session is not shared with you.");

    private static ApiProblem AlreadyShared(string username) =>
        ApiProblem.Conflict($"'{username}' already has access to this session; change their permission with PATCH instead.");

    /// <summary>A share as the owner sees it; a link's <c>share_url</c> is the whole address, ready to send.</summary>
    private ShareDto ToDto(Share s, string? username, string? token) => new(
        s.Id, s.SessionId, s.Kind, username, s.UserId, SessionAccess.PermissionOf(s),
        token is null ? null : address.Of(JoinPath + token), s.CreatedAt, s.CreatedByName, s.ExpiresAt, s.MaxUses, s.Uses, s.ViaLinkId);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}

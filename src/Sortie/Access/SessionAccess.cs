using Microsoft.EntityFrameworkCore;
using Sortie.Data;
using Sortie.Rfb;

namespace Sortie.Access;

/// <summary>
/// A caller's access to one session: the way in, the permission it carries, the share (and link) behind it, and when it
/// ends by itself (<see cref="Until"/>: the expiry of the link it came through; a link's expiry never changes).
/// </summary>
public sealed record SessionAccess(AccessVia Via, SharePermission Permission, Guid? ShareId, Guid? LinkId = null, DateTime? Until = null)
{
    public static readonly SessionAccess None = new(AccessVia.None, SharePermission.ReadOnly, null);
    public static readonly SessionAccess Owner = new(AccessVia.Owner, SharePermission.ReadWrite, null);
    public static readonly SessionAccess Admin = new(AccessVia.Admin, SharePermission.ReadWrite, null);

    /// <summary>Owners and admins manage a session: end it, and create, change or revoke its shares.</summary>
    public bool CanManage => Via is AccessVia.Owner or AccessVia.Admin;
    public bool IsShared => Via is AccessVia.Share or AccessVia.Link;
    public bool CanSee => Via != AccessVia.None;

    /// <summary>
    /// What the gateway lets this access do on the desktop: owners and admins everything, Full Access (read_write)
    /// keyboard, pointer and clipboard, View Only none of them.
    /// </summary>
    public ViewerRights Rights => this switch
    {
        { CanManage: true } => ViewerRights.Full,
        { Permission: SharePermission.ReadWrite } => ViewerRights.Control,
        _ => ViewerRights.ViewOnly,
    };

    /// <summary>Only desktops (container apps, VNC or RDP) are shared; a web-proxy session is its owner's alone.</summary>
    public static bool IsShareable(LaunchType launchType) => launchType == LaunchType.Container;

    /// <summary>Full access for the owner, or an admin's for anyone else.</summary>
    public static SessionAccess Managing(Session session, Caller caller) => session.OwnerId == caller.Id ? Owner : Admin;

    /// <summary>
    /// The one place that decides access, for the API, the UI and the gateway. The owner and admins have
    /// full access; otherwise the caller's share decides, and a share joined through a link lives and
    /// changes with the link (an expired link grants nothing, even before it is swept away).
    /// </summary>
    public static async Task<SessionAccess> OfAsync(SortieDb db, Caller caller, Session session, DateTime now, CancellationToken ct)
    {
        if (session.OwnerId == caller.Id) return Owner;
        if (caller.IsAdmin) return Admin;
        // At most one: a user holds one share of a session (unique index).
        var grants = await GrantsAsync(db, caller.Id, session.Id, now, ct);
        return grants.Count == 0 ? None : Of(grants.Single());
    }

    /// <summary>The access a grant (from <see cref="GrantsAsync"/>) gives; a link's expiry bounds a join through it.</summary>
    public static SessionAccess Of(Share grant) => new(grant.ViaLinkId is null ? AccessVia.Share : AccessVia.Link,
        PermissionOf(grant), grant.Id, grant.ViaLinkId, grant.ViaLink?.ExpiresAt);

    /// <summary>A share's permission: a user who joined through a link has the link's (load <see cref="Share.ViaLink"/>).</summary>
    public static SharePermission PermissionOf(Share share) => share.ViaLink?.Permission ?? share.Permission;

    /// <summary>
    /// The shares still standing at <paramref name="now"/>: not past their own expiry (links), nor joined through a link
    /// past its expiry. The same rule as the grants' query below, for lists of shares.
    /// </summary>
    public static IQueryable<Share> Standing(IQueryable<Share> shares, DateTime now) => shares
        .Where(s => s.ExpiresAt == null || s.ExpiresAt > now)
        .Where(s => s.ViaLinkId == null || s.ViaLink!.ExpiresAt == null || s.ViaLink.ExpiresAt > now);

    /// <summary>
    /// The shares that give a user access now, to one session or (<paramref name="sessionId"/> null) to any: invites,
    /// and joins through a link that has not expired. Each with its session (the app and owner too) and its link.
    /// </summary>
    public static async Task<List<Share>> GrantsAsync(SortieDb db, Guid userId, Guid? sessionId, DateTime now, CancellationToken ct)
    {
        var grants = new List<Share>();
        await foreach (var grant in GrantsQuery.For(db)(db, userId, sessionId, now).WithCancellation(ct)) grants.Add(grant);
        return grants;
    }

    // Compiled once: every access check and every shared list runs it, and EF's reading of a LINQ query at each call
    // (parameter extraction, the query cache's lookup) cost more CPU than the query itself (docs/benchmarks.md, "API profile").
    private static readonly PerModel<Func<SortieDb, Guid, Guid?, DateTime, IAsyncEnumerable<Share>>> GrantsQuery = new(() => EF.CompileAsyncQuery(
        (SortieDb db, Guid userId, Guid? sessionId, DateTime now) => db.Shares.AsNoTracking()
            .Where(s => s.Kind == ShareKind.User && s.UserId == userId && (sessionId == null || s.SessionId == sessionId)
                && (s.ViaLinkId == null || s.ViaLink!.ExpiresAt == null || s.ViaLink.ExpiresAt > now))
            .Include(s => s.Session).ThenInclude(s => s.App)
            .Include(s => s.Session).ThenInclude(s => s.Owner)
            .Include(s => s.ViaLink)));
}

using Microsoft.EntityFrameworkCore;
using Sortie.Auth;
using Sortie.Data;

namespace Sortie.Sessions;

/// <summary>How a caller reaches a session.</summary>
public enum AccessVia { None, Owner, Admin, Share, Link }

/// <summary>
/// A caller's access to one session: the way in, the permission it carries, the share (and link) behind it, and when it
/// ends by itself (<see cref="Until"/>: the expiry of the link it came through; a link's expiry never changes).
/// </summary>
public sealed record SessionAccess(AccessVia Via, SharePermission Permission, Guid? ShareId, Guid? LinkId = null, DateTime? Until = null)
{
    public static readonly SessionAccess None = new(AccessVia.None, SharePermission.ReadOnly, null);

    /// <summary>Owners and admins manage a session: end it, and create, change or revoke its shares.</summary>
    public bool CanManage => Via is AccessVia.Owner or AccessVia.Admin;
    public bool IsShared => Via is AccessVia.Share or AccessVia.Link;
    public bool CanSee => Via != AccessVia.None;

    /// <summary>
    /// The one place that decides access, for the API, the UI and the gateway. The owner and admins have
    /// full access; otherwise the caller's share decides, and a share joined through a link lives and
    /// changes with the link (an expired link grants nothing, even before it is swept away).
    /// </summary>
    public static async Task<SessionAccess> OfAsync(SortieDb db, Caller caller, Session session, DateTime now, CancellationToken ct)
    {
        if (session.OwnerId == caller.Id) return new(AccessVia.Owner, SharePermission.ReadWrite, null);
        if (caller.IsAdmin) return new(AccessVia.Admin, SharePermission.ReadWrite, null);
        var grant = await Grants(db, now).Where(s => s.SessionId == session.Id && s.UserId == caller.Id)
            .Select(s => new
            {
                s.Id, s.ViaLinkId,
                Permission = s.ViaLinkId == null ? s.Permission : s.ViaLink!.Permission,
                Until = s.ViaLinkId == null ? null : s.ViaLink!.ExpiresAt,
            })
            .SingleOrDefaultAsync(ct);
        return grant is null ? None
            : new(grant.ViaLinkId is null ? AccessVia.Share : AccessVia.Link, grant.Permission, grant.Id, grant.ViaLinkId, grant.Until);
    }

    /// <summary>Shares that give a user access now: invites, and joins through a link that has not expired.</summary>
    public static IQueryable<Share> Grants(SortieDb db, DateTime now) =>
        db.Shares.Where(s => s.Kind == ShareKind.User && s.UserId != null
            && (s.ViaLinkId == null || s.ViaLink!.ExpiresAt == null || s.ViaLink.ExpiresAt > now));
}

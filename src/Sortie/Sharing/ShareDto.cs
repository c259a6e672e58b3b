using Sortie.Data;

namespace Sortie.Sharing;

/// <summary>
/// Share a session with a user (<c>username</c>) or through a link (<c>link_share: true</c>), never both.
/// A missing permission means read_only. Links may expire (<c>expires_in</c> seconds or <c>expires_at</c>) and
/// be limited to <c>max_uses</c> joins.
/// </summary>
public sealed record CreateShareRequest(
    string? Username = null,
    bool? LinkShare = null,
    SharePermission Permission = SharePermission.ReadOnly,
    long? ExpiresIn = null,
    DateTimeOffset? ExpiresAt = null,
    int? MaxUses = null);

public sealed record ChangeShareRequest(SharePermission Permission);

public sealed record JoinRequest(string Token);

/// <summary>
/// A share as its session's owner sees it. <c>via_link_id</c> marks a user who joined through a link:
/// their permission is the link's.
/// </summary>
public sealed record ShareDto(
    Guid Id,
    Guid SessionId,
    ShareKind Kind,
    string? Username,
    Guid? UserId,
    SharePermission Permission,
    string? ShareUrl,
    DateTime CreatedAt,
    string CreatedBy,
    DateTime? ExpiresAt,
    int? MaxUses,
    int Uses,
    Guid? ViaLinkId);

/// <summary>Whose session a working link leads to, as the login page names it before a join.</summary>
public sealed record LinkPreview(string OwnerUsername, string AppName);

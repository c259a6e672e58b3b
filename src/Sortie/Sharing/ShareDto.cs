using Sortie.Data;

namespace Sortie.Sharing;

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

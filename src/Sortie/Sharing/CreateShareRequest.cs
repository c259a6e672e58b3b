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

namespace Sortie.Data;

/// <summary>
/// Access to a session given by its owner (or an admin). Three shapes share this table:
/// an invite (<see cref="ShareKind.User"/> with <see cref="UserId"/>), a link (<see cref="ShareKind.Link"/>
/// with a token), and the access of a user who joined through a link (<see cref="ShareKind.User"/> with
/// <see cref="ViaLinkId"/>), whose permission and lifetime are the link's. A unique (session, user) index
/// means a user never holds two permissions for one session.
/// </summary>
public sealed class Share
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid SessionId { get; set; }
    public Session Session { get; set; } = null!;
    public ShareKind Kind { get; set; }
    public Guid? UserId { get; set; }
    public User? User { get; set; }
    public Guid? ViaLinkId { get; set; }
    public Share? ViaLink { get; set; }
    /// <summary>For invites and links; a joined user's permission is read from the link.</summary>
    public SharePermission Permission { get; set; }
    /// <summary>Links: SHA-256 of the token, for lookup. The token itself is not stored in clear.</summary>
    public string? TokenHash { get; set; }
    /// <summary>Links: the token sealed with the data-protection keys (kept outside the database), so the
    /// owner can copy the link again while a copy of the database alone reveals no usable link.</summary>
    public string? TokenSealed { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public int? MaxUses { get; set; }
    public int Uses { get; set; }
    public DateTime CreatedAt { get; set; }
    public Guid CreatedById { get; set; }
    public string CreatedByName { get; set; } = "";
}

namespace Sortie.Data;

/// <summary>
/// A browser's login: the sign-in cookie names it, and the cookie is worth nothing without it. Logging out deletes it,
/// a password change deletes all of the user's, and deleting the account takes them along, however long the cookie
/// itself would still slide on.
/// </summary>
public sealed class BrowserLogin
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid UserId { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>When the cookie expires unless used: pushed on whenever the cookie slides; later rows are swept.</summary>
    public DateTime ExpiresAt { get; set; }
}

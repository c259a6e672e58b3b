namespace Sortie.Data;

public enum UserRole { User, Admin }

public sealed class User
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Username { get; set; }
    public required string PasswordHash { get; set; }
    public UserRole Role { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
}

/// <summary>A refresh token, stored only as its SHA-256 hash. Rotation links each token to its successor.</summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid UserId { get; set; }
    public required string TokenHash { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

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

public enum LaunchType { Container, WebProxy, Url }

public enum StreamProtocol { Vnc, Rdp }

/// <summary>
/// How an RDP connection is secured. <see cref="Any"/> lets the client offer NLA, TLS and legacy RDP security and
/// the server pick; the others insist on one. <see cref="Rdp"/> is legacy RDP security: no TLS, no certificate.
/// </summary>
public enum RdpSecurity { Any, Nla, Tls, Rdp }

/// <summary>
/// Which TLS certificate an RDP app's remote desktop may present. <see cref="Tofu"/>: the first one seen (or the
/// one an admin pinned) and no other. <see cref="Ignore"/>: any, for lab machines only.
/// </summary>
public enum RdpCertificatePolicy { Tofu, Ignore }

public sealed class App
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public LaunchType LaunchType { get; set; }
    public StreamProtocol? Protocol { get; set; }
    public string Icon { get; set; } = "";
    /// <summary>Container apps: the shell command run inside the session's sandbox, on its display.</summary>
    public string? Command { get; set; }
    /// <summary>Url and web-proxy apps: the address they open.</summary>
    public string? Url { get; set; }
    /// <summary>RDP apps: the remote desktop's host name or address.</summary>
    public string? RdpHost { get; set; }
    public int? RdpPort { get; set; }
    public RdpSecurity? RdpSecurity { get; set; }
    public RdpCertificatePolicy? RdpCertificate { get; set; }
    /// <summary>
    /// RDP apps: the SHA-256 fingerprint (lower-case hex pairs joined by colons) of the only certificate the remote
    /// desktop may present: pinned by an admin, or recorded at the first launch under <see cref="RdpCertificatePolicy.Tofu"/>.
    /// </summary>
    public string? RdpCertificateFingerprint { get; set; }
    /// <summary>
    /// RDP apps: the name of the secret holding the credentials (a file in the data dir's secrets/ or an environment
    /// variable). The credentials themselves are never stored in the database.
    /// </summary>
    public string? RdpSecretRef { get; set; }
    /// <summary>Container and web-proxy apps: CPU cores each session may use; null: the runner's default.</summary>
    public double? CpuLimit { get; set; }
    /// <summary>Container and web-proxy apps: memory (MiB) each session may use; null: the runner's default.</summary>
    public int? MemoryLimitMb { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
}

public enum SessionStatus { Creating, Running, Terminated, Failed }

public sealed class Session
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid AppId { get; set; }
    public App App { get; set; } = null!;
    public Guid OwnerId { get; set; }
    public User Owner { get; set; } = null!;
    public SessionStatus Status { get; set; } = SessionStatus.Creating;
    /// <summary>Why a session ended or failed, in words a user can read.</summary>
    public string? EndReason { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime? StartedAt { get; set; }
    public DateTime? EndedAt { get; set; }
    /// <summary>When the session last had a viewer (or started): the idle timeout counts from here.</summary>
    public DateTime LastViewerAt { get; set; } = DateTime.UtcNow;

    public bool IsLive => Status is SessionStatus.Creating or SessionStatus.Running;
}

public enum SharePermission { ReadOnly, ReadWrite }

public enum ShareKind { User, Link }

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
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public Guid CreatedById { get; set; }
    public string CreatedByName { get; set; } = "";
}

/// <summary>
/// A gateway connection open now, on whichever replica serves it: what the owner sees as "watching now". The replica
/// holding the connection refreshes <see cref="SeenAt"/>; the rows of a replica that died go stale and are swept.
/// </summary>
public sealed class LiveConnection
{
    public Guid Id { get; set; }
    public Guid SessionId { get; set; }
    public Guid UserId { get; set; }
    public string Username { get; set; } = "";
    public SharePermission Permission { get; set; }
    /// <summary>How the viewer came: owner, admin, share or link.</summary>
    public string Via { get; set; } = "";
    public DateTime ConnectedAt { get; set; }
    public string Replica { get; set; } = "";
    public DateTime SeenAt { get; set; }
}

/// <summary>Something that happened to a session's access: who did it, what, when and from where.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }
    public DateTime At { get; set; } = DateTime.UtcNow;
    public required string Action { get; set; }
    public Guid? ActorId { get; set; }
    public string ActorName { get; set; } = "";
    public string? Address { get; set; }
    public Guid? SessionId { get; set; }
    public Guid? ShareId { get; set; }
    public string? Subject { get; set; }
    public string Detail { get; set; } = "";
}

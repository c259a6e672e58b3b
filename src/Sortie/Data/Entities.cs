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

public enum LaunchType { Container, WebProxy, Url }

public enum StreamProtocol { Vnc, Rdp }

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

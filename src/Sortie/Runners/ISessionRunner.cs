namespace Sortie.Runners;

/// <summary>
/// The engine that runs sessions' desktops: the local sandbox runner, or Kubernetes.
/// The rest of Sortie knows sessions only through this.
/// </summary>
public interface ISessionRunner
{
    /// <summary>Starts the desktop and returns once its VNC server answers. Throws <see cref="RunnerException"/>.</summary>
    Task StartAsync(SessionLaunch launch, CancellationToken ct);

    /// <summary>
    /// Takes back a session whose processes outlived a server restart. False when they are gone or no longer
    /// answer, and then nothing of the session is left running.
    /// </summary>
    Task<bool> ResumeAsync(Guid sessionId, CancellationToken ct);

    /// <summary>Ends every process of the session and removes its files. Safe to call twice.</summary>
    Task StopAsync(Guid sessionId);

    /// <summary>A fresh byte stream to the session's VNC server (RFB starts with the server's banner).</summary>
    Task<Stream> ConnectAsync(Guid sessionId, CancellationToken ct);

    /// <summary>Raised when a session's processes end without <see cref="StopAsync"/>: the reason in words.</summary>
    event Action<Guid, string>? SessionExited;

    /// <summary>Sessions whose processes this runner holds now.</summary>
    IReadOnlyCollection<Guid> ActiveSessions { get; }

    /// <summary>
    /// True when no other server can hold this portal's sessions (the local runner: its sandboxes live on this machine),
    /// so a running session missing from <see cref="ActiveSessions"/> is gone.
    /// </summary>
    bool HoldsEverySession { get; }

    /// <summary>Null when the runner can start sessions; otherwise what is missing.</summary>
    string? Problem();
}

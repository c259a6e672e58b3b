using Sortie.Access;

namespace Sortie.Viewers;

/// <summary>One browser (or API client) watching a session through the gateway, and the access it stands on.</summary>
public sealed class Viewer(Guid sessionId, Guid ownerId, Guid userId, string username, SessionAccess access, DateTime connectedAt) : IDisposable
{
    private readonly CancellationTokenSource _closed = new();

    public Guid Id { get; } = Guid.NewGuid();
    public Guid SessionId { get; } = sessionId;
    /// <summary>The session's owner, who is told when viewers come and go.</summary>
    public Guid OwnerId { get; } = ownerId;
    public Guid UserId { get; } = userId;
    public string Username { get; } = username;
    /// <summary>The access the connection stands on (the share and the link behind it): when it changes, the connection closes.</summary>
    public SessionAccess Access { get; } = access;
    /// <summary>The browser login (sign-in cookie) the connection was opened with, if any: it closes when that login ends.</summary>
    public Guid? BrowserLoginId { get; init; }
    public DateTime ConnectedAt { get; } = connectedAt;
    /// <summary>Set when the server ends the connection; the pump sends it as the close frame.</summary>
    public CloseReason? ClosedBy { get; private set; }
    /// <summary>When the access change that closed it was made (a <see cref="System.Diagnostics.Stopwatch"/> timestamp), for the close latency metric.</summary>
    public long? AccessChangedAt { get; private set; }
    public CancellationToken Closed => _closed.Token;

    public void Close(CloseReason reason, long? accessChangedAt = null)
    {
        if (ClosedBy is null) AccessChangedAt = accessChangedAt;
        ClosedBy ??= reason;
        try { _closed.Cancel(); } catch (ObjectDisposedException) { }
    }

    public void Dispose() => _closed.Dispose();
}

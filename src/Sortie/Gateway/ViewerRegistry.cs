using System.Collections.Concurrent;
using Sortie.Sessions;

namespace Sortie.Gateway;

/// <summary>Why a live connection was closed by the server: the WebSocket close code and the words the UI shows.</summary>
public sealed record CloseReason(int Code, string Text)
{
    public static readonly CloseReason SessionEnded = new(4000, "session ended");
    public static readonly CloseReason AccessRevoked = new(4001, "access revoked");
    public static readonly CloseReason PermissionChanged = new(4002, "permission changed");
    public static readonly CloseReason ServerStopping = new(4003, "server stopping");
    /// <summary>The desktop changed size and this viewer never said it could follow (the VNC server dropped it); the session runs on.</summary>
    public static readonly CloseReason DesktopResized = new(4005, "desktop resized: this viewer cannot follow a size change");

    /// <summary>The viewer sent (or the server answered) something the gateway cannot parse.</summary>
    public static CloseReason ProtocolError(string detail)
    {
        var text = $"protocol error: {detail}";
        // A close frame's reason holds at most 123 bytes of UTF-8.
        while (System.Text.Encoding.UTF8.GetByteCount(text) > 123) text = text[..^1];
        return new(4004, text);
    }
}

/// <summary>One browser (or API client) watching a session through the gateway, and the access it stands on.</summary>
public sealed class LiveViewer(Guid sessionId, Guid ownerId, Guid userId, string username, SessionAccess access) : IDisposable
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
    public DateTime ConnectedAt { get; } = DateTime.UtcNow;
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

/// <summary>
/// Every live gateway connection of this replica, by session, so access can be taken away at once (see
/// <see cref="LiveControl"/>). Connections join and leave it through <see cref="Presence"/>.
/// </summary>
public sealed class ViewerRegistry
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Guid, LiveViewer>> _bySession = new();

    public void Add(LiveViewer viewer) => _bySession.GetOrAdd(viewer.SessionId, _ => new()).TryAdd(viewer.Id, viewer);

    /// <summary>False when the viewer was not (or no longer) here.</summary>
    public bool Remove(LiveViewer viewer)
    {
        if (!_bySession.TryGetValue(viewer.SessionId, out var viewers) || !viewers.TryRemove(viewer.Id, out _)) return false;
        if (viewers.IsEmpty) _bySession.TryRemove(new KeyValuePair<Guid, ConcurrentDictionary<Guid, LiveViewer>>(viewer.SessionId, viewers));
        return true;
    }

    public IReadOnlyList<LiveViewer> Of(Guid sessionId) =>
        _bySession.TryGetValue(sessionId, out var viewers) ? viewers.Values.ToArray() : [];

    public int Count(Guid sessionId) => _bySession.TryGetValue(sessionId, out var viewers) ? viewers.Count : 0;

    /// <summary>Every live connection on this replica.</summary>
    public IReadOnlyList<LiveViewer> All() => _bySession.Values.SelectMany(viewers => viewers.Values).ToArray();
}

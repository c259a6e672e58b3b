using System.Collections.Concurrent;
using Sortie.Events;
using Sortie.Sessions;

namespace Sortie.Gateway;

/// <summary>Why a live connection was closed by the server: the WebSocket close code and the words the UI shows.</summary>
public sealed record CloseReason(int Code, string Text)
{
    public static readonly CloseReason SessionEnded = new(4000, "session ended");
    public static readonly CloseReason AccessRevoked = new(4001, "access revoked");
    public static readonly CloseReason PermissionChanged = new(4002, "permission changed");
    public static readonly CloseReason ServerStopping = new(4003, "server stopping");

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
    public SessionAccess Access { get; } = access;
    /// <summary>The share this connection depends on, if any: revoking or changing it closes the connection.</summary>
    public Guid? ShareId => Access.ShareId;
    /// <summary>The link behind the share, for users who joined through one.</summary>
    public Guid? LinkId => Access.LinkId;
    public DateTime ConnectedAt { get; } = DateTime.UtcNow;
    /// <summary>Set when the server ends the connection; the pump sends it as the close frame.</summary>
    public CloseReason? ClosedBy { get; private set; }
    public CancellationToken Closed => _closed.Token;

    public void Close(CloseReason reason)
    {
        ClosedBy ??= reason;
        try { _closed.Cancel(); } catch (ObjectDisposedException) { }
    }

    public void Dispose() => _closed.Dispose();
}

/// <summary>Every live gateway connection of this replica, by session, so access can be taken away at once (see <see cref="LiveControl"/>).</summary>
public sealed class ViewerRegistry(EventHub events)
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Guid, LiveViewer>> _bySession = new();

    public void Add(LiveViewer viewer)
    {
        _bySession.GetOrAdd(viewer.SessionId, _ => new()).TryAdd(viewer.Id, viewer);
        events.Publish(PortalEvent.ViewersChanged, viewer.SessionId, [viewer.OwnerId]);
    }

    /// <summary>Takes a viewer off the session's list (at once when the server closes it: it no longer watches).</summary>
    public void Remove(LiveViewer viewer)
    {
        if (!_bySession.TryGetValue(viewer.SessionId, out var viewers) || !viewers.TryRemove(viewer.Id, out _)) return;
        if (viewers.IsEmpty) _bySession.TryRemove(new KeyValuePair<Guid, ConcurrentDictionary<Guid, LiveViewer>>(viewer.SessionId, viewers));
        events.Publish(PortalEvent.ViewersChanged, viewer.SessionId, [viewer.OwnerId]);
    }

    public IReadOnlyList<LiveViewer> Of(Guid sessionId) =>
        _bySession.TryGetValue(sessionId, out var viewers) ? viewers.Values.ToArray() : [];

    public int Count(Guid sessionId) => _bySession.TryGetValue(sessionId, out var viewers) ? viewers.Count : 0;

    /// <summary>Every live connection on this replica.</summary>
    public IReadOnlyList<LiveViewer> All() => _bySession.Values.SelectMany(viewers => viewers.Values).ToArray();

    /// <summary>Closes the session's connections that match, all of them by default.</summary>
    public int Close(Guid sessionId, CloseReason reason, Func<LiveViewer, bool>? which = null)
    {
        var closed = 0;
        foreach (var viewer in Of(sessionId).Where(which ?? (_ => true)))
        {
            viewer.Close(reason);
            Remove(viewer);
            closed++;
        }
        return closed;
    }
}

using System.Collections.Concurrent;
using Sortie.Auth;
using Sortie.Replicas;

namespace Sortie.Events;

/// <summary>What changed, about which session. Clients re-read what they show (with their own rights), so an
/// event carries no data that needs guarding.</summary>
public sealed record PortalEvent(string Type, Guid SessionId)
{
    /// <summary>A session was created, started, failed or ended.</summary>
    public const string SessionChanged = "session.changed";
    /// <summary>A share of the session was created, changed, revoked, joined, left or expired.</summary>
    public const string SharesChanged = "shares.changed";
    /// <summary>A viewer connected to the session or left it.</summary>
    public const string ViewersChanged = "viewers.changed";
}


/// <summary>
/// The one channel of live updates: the Blazor pages subscribe to it directly, API clients through the
/// server-sent events of GET /api/events. Each event goes to the users it concerns (and to admins), on this replica
/// and, through the <see cref="IReplicaBus"/>, on the others.
/// </summary>
public sealed class EventHub(IReplicaBus replicas, ILogger<EventHub> log)
{
    private sealed record Subscription(Guid UserId, bool IsAdmin, Action<PortalEvent> Deliver);

    private readonly ConcurrentDictionary<Guid, Subscription> _subscriptions = new();

    public IDisposable Subscribe(Caller caller, Action<PortalEvent> deliver)
    {
        var id = Guid.NewGuid();
        _subscriptions[id] = new Subscription(caller.Id, caller.IsAdmin, deliver);
        return new Unsubscriber(() => _subscriptions.TryRemove(id, out _));
    }

    public void Publish(string type, Guid sessionId, IEnumerable<Guid> users)
    {
        var audience = users.Distinct().ToArray();
        Deliver(type, sessionId, audience);
        _ = replicas.PublishAsync(ReplicaSignal.Event(type, sessionId, audience));
    }

    /// <summary>Delivers to this replica's subscribers alone: the users concerned, and admins.</summary>
    public void Deliver(string type, Guid sessionId, IReadOnlyCollection<Guid> users)
    {
        var e = new PortalEvent(type, sessionId);
        foreach (var s in _subscriptions.Values)
            if (s.IsAdmin || users.Contains(s.UserId))
            {
                try { s.Deliver(e); }
                catch (Exception ex) { log.LogError(ex, "A subscriber failed on {Event}", e.Type); }
            }
    }

    private sealed class Unsubscriber(Action dispose) : IDisposable
    {
        private int _disposed;
        public void Dispose() { if (Interlocked.Exchange(ref _disposed, 1) == 0) dispose(); }
    }
}

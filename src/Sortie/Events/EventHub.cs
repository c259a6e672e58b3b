using System.Collections.Concurrent;
using Sortie.Access;
using Sortie.Replicas;

namespace Sortie.Events;

/// <summary>
/// The one channel of live updates: the Blazor pages subscribe to it directly, API clients through the
/// server-sent events of GET /api/events. Each event goes to the users it concerns (and to admins), on this replica
/// and, through the <see cref="IReplicaBus"/>, on the others.
/// </summary>
public sealed class EventHub(IReplicaBus replicas, ILogger<EventHub> log) : IReplicaSignalHandler
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

    /// <summary>Another replica's event, for this replica's pages.</summary>
    public Task HandleAsync(ReplicaSignal signal, CancellationToken ct)
    {
        if (signal is { Kind: ReplicaSignal.Kinds.Event, EventType: { } type, SessionId: { } session, Users: { } users })
            Deliver(type, session, users);
        return Task.CompletedTask;
    }

    /// <summary>Nothing to catch up: an update missed is a page that shows something older until the next one.</summary>
    public Task CatchUpAsync(CancellationToken ct) => Task.CompletedTask;

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

using System.Collections.Concurrent;

namespace Sortie.Viewers;

/// <summary>
/// Every viewer connected to this replica, by session, so access can be taken away at once (see
/// <see cref="ViewerGuard"/>). Viewers join and leave it through the <see cref="ViewerRoom"/>.
/// </summary>
public sealed class LocalViewers
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Guid, Viewer>> _bySession = new();

    public void Add(Viewer viewer) => _bySession.GetOrAdd(viewer.SessionId, _ => new()).TryAdd(viewer.Id, viewer);

    /// <summary>False when the viewer was not (or no longer) here.</summary>
    public bool Remove(Viewer viewer)
    {
        if (!_bySession.TryGetValue(viewer.SessionId, out var viewers) || !viewers.TryRemove(viewer.Id, out _)) return false;
        if (viewers.IsEmpty) _bySession.TryRemove(new KeyValuePair<Guid, ConcurrentDictionary<Guid, Viewer>>(viewer.SessionId, viewers));
        return true;
    }

    public IReadOnlyList<Viewer> Of(Guid sessionId) =>
        _bySession.TryGetValue(sessionId, out var viewers) ? viewers.Values.ToArray() : [];

    /// <summary>Whether anyone watches the session on this replica (it is not idle, whatever its clock says).</summary>
    public bool IsWatched(Guid sessionId) => _bySession.TryGetValue(sessionId, out var viewers) && !viewers.IsEmpty;

    /// <summary>Every live connection on this replica.</summary>
    public IReadOnlyList<Viewer> All() => _bySession.Values.SelectMany(viewers => viewers.Values).ToArray();
}

using Microsoft.EntityFrameworkCore;
using Sortie.Data;
using Sortie.Events;
using Sortie.Hosting;
using Sortie.Replicas;

namespace Sortie.Gateway;

/// <summary>
/// Who is watching which session, whichever replica serves them. A connection joins this replica's
/// <see cref="ViewerRegistry"/> (so it can be closed at once) and the database's <see cref="LiveConnection"/>s (so the
/// owner sees it from any replica); the session's owner is told of each arrival and departure.
/// </summary>
public sealed class Presence(ViewerRegistry viewers, IDbContextFactory<SortieDb> dbs, IReplicaBus replicas, EventHub events,
    SortieOptions options, TimeProvider clock, ILogger<Presence> log)
{
    /// <summary>A row not refreshed for this long belongs to a replica that is gone.</summary>
    private TimeSpan Stale => 3 * options.LiveCheckInterval;

    public async Task JoinAsync(LiveViewer viewer)
    {
        await using (var db = await dbs.CreateDbContextAsync())
        {
            var now = clock.GetUtcNow().UtcDateTime;
            db.LiveConnections.Add(new LiveConnection
            {
                Id = viewer.Id, SessionId = viewer.SessionId, UserId = viewer.UserId, Username = viewer.Username,
                Permission = viewer.Access.Permission, Via = ViewerDto.ViaName(viewer.Access.Via), ConnectedAt = viewer.ConnectedAt,
                Replica = replicas.ReplicaId, SeenAt = now,
            });
            await db.SaveChangesAsync();
        }
        viewers.Add(viewer);
        events.Publish(PortalEvent.ViewersChanged, viewer.SessionId, [viewer.OwnerId]);
    }

    /// <summary>Takes a connection off both lists (at once when the server closes it: it no longer watches). Safe to call twice.</summary>
    public async Task LeaveAsync(LiveViewer viewer)
    {
        if (!viewers.Remove(viewer)) return;
        try
        {
            await using var db = await dbs.CreateDbContextAsync();
            await db.LiveConnections.Where(c => c.Id == viewer.Id).ExecuteDeleteAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not refreshed any more, the row goes stale and is swept (RefreshAsync).
            log.LogWarning(e, "Could not remove connection {Id} from the presence list", viewer.Id);
        }
        events.Publish(PortalEvent.ViewersChanged, viewer.SessionId, [viewer.OwnerId]);
    }

    /// <summary>The session's live connections on every replica, oldest first.</summary>
    public async Task<List<ViewerDto>> OfAsync(Guid sessionId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var fresh = clock.GetUtcNow().UtcDateTime - Stale;
        var rows = await db.LiveConnections.AsNoTracking()
            .Where(c => c.SessionId == sessionId && c.SeenAt >= fresh).ToListAsync(ct);
        return rows.OrderBy(c => c.ConnectedAt).Select(ViewerDto.From).ToList();
    }

    /// <summary>How many live connections each of these sessions has on every replica (a session nobody watches is not listed).</summary>
    public async Task<Dictionary<Guid, int>> CountAsync(IReadOnlyCollection<Guid> sessionIds, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var fresh = clock.GetUtcNow().UtcDateTime - Stale;
        return await db.LiveConnections.AsNoTracking()
            .Where(c => sessionIds.Contains(c.SessionId) && c.SeenAt >= fresh)
            .GroupBy(c => c.SessionId).Select(g => new { Session = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Session, g => g.Count, ct);
    }

    /// <summary>
    /// Says this replica's connections are still there, restarts the idle clock of the sessions they watch (so no
    /// replica's housekeeper ends a session watched elsewhere), and sweeps the connections of replicas that are gone.
    /// </summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        var mine = viewers.All();
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (mine.Count > 0)
        {
            var ids = mine.Select(v => v.Id).ToList();
            var watched = mine.Select(v => v.SessionId).Distinct().ToList();
            await db.LiveConnections.Where(c => c.Replica == replicas.ReplicaId && ids.Contains(c.Id))
                .ExecuteUpdateAsync(c => c.SetProperty(x => x.SeenAt, now), ct);
            await db.Sessions.Where(s => watched.Contains(s.Id)).ExecuteUpdateAsync(s => s.SetProperty(x => x.LastViewerAt, now), ct);
        }
        var stale = now - Stale;
        await db.LiveConnections.Where(c => c.SeenAt < stale).ExecuteDeleteAsync(ct);
    }

    /// <summary>A lone server (SQLite) starting: every connection listed is from an earlier run, and gone.</summary>
    public async Task ForgetEarlierRunsAsync(CancellationToken ct)
    {
        if (options.Database is not null) return; // Other replicas' connections are live; stale rows are swept.
        await using var db = await dbs.CreateDbContextAsync(ct);
        await db.LiveConnections.ExecuteDeleteAsync(ct);
    }
}

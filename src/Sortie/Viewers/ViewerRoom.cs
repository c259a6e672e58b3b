using Microsoft.EntityFrameworkCore;
using Sortie.Data;
using Sortie.Events;
using Sortie.Platform;
using Sortie.Replicas;

namespace Sortie.Viewers;

/// <summary>
/// Who is watching which session, whichever replica serves them. A viewer joins this replica's
/// <see cref="LocalViewers"/> (so it can be closed at once) and the database's <see cref="ViewerRecord"/>s (so the
/// owner sees it from any replica); the session's owner is told of each arrival and departure. The room also keeps
/// the sessions' idle clock (<see cref="Session.LastViewerAt"/>): it is the one writer of it once a session runs.
/// </summary>
public sealed class ViewerRoom(LocalViewers viewers, IDbContextFactory<SortieDb> dbs, IReplicaBus replicas, EventHub events,
    SortieOptions options, TimeProvider clock, ILogger<ViewerRoom> log)
{
    /// <summary>A row not refreshed for this long belongs to a replica that is gone.</summary>
    private TimeSpan Stale => 3 * options.LiveCheckInterval;

    /// <summary>Lists the viewer on this replica and in the database, and restarts the session's idle clock.</summary>
    public async Task JoinAsync(Viewer viewer)
    {
        await using (var db = await dbs.CreateDbContextAsync())
        {
            var now = clock.GetUtcNow().UtcDateTime;
            db.ViewerRecords.Add(new ViewerRecord
            {
                Id = viewer.Id, SessionId = viewer.SessionId, UserId = viewer.UserId, Username = viewer.Username,
                Permission = viewer.Access.Permission, Via = viewer.Access.Via, ConnectedAt = viewer.ConnectedAt,
                Replica = replicas.ReplicaId, SeenAt = now,
            });
            await db.SaveChangesAsync();
            await TouchAsync(db, viewer.SessionId, now);
        }
        viewers.Add(viewer);
        events.Publish(PortalEvent.ViewersChanged, viewer.SessionId, [viewer.OwnerId]);
    }

    /// <summary>
    /// Takes a viewer off both lists (at once when the server closes it: it no longer watches) and restarts the
    /// session's idle clock, which counts from the last viewer's departure. Safe to call twice.
    /// </summary>
    public async Task LeaveAsync(Viewer viewer)
    {
        if (!viewers.Remove(viewer)) return;
        try
        {
            await using var db = await dbs.CreateDbContextAsync();
            await db.ViewerRecords.Where(c => c.Id == viewer.Id).ExecuteDeleteAsync();
            await TouchAsync(db, viewer.SessionId, clock.GetUtcNow().UtcDateTime);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not refreshed any more, the row goes stale and is swept (RefreshAsync).
            log.LogWarning(e, "Could not remove connection {Id} from the list of viewers", viewer.Id);
        }
        events.Publish(PortalEvent.ViewersChanged, viewer.SessionId, [viewer.OwnerId]);
    }

    /// <summary>The session's live connections on every replica, oldest first.</summary>
    public async Task<List<ViewerDto>> OfAsync(Guid sessionId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var fresh = clock.GetUtcNow().UtcDateTime - Stale;
        var rows = await db.ViewerRecords.AsNoTracking()
            .Where(c => c.SessionId == sessionId && c.SeenAt >= fresh).ToListAsync(ct);
        return rows.OrderBy(c => c.ConnectedAt).Select(ViewerDto.From).ToList();
    }

    /// <summary>How many live connections each of these sessions has on every replica (a session nobody watches is not listed).</summary>
    public async Task<Dictionary<Guid, int>> CountAsync(IReadOnlyCollection<Guid> sessionIds, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var fresh = clock.GetUtcNow().UtcDateTime - Stale;
        return await db.ViewerRecords.AsNoTracking()
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
            await db.ViewerRecords.Where(c => c.Replica == replicas.ReplicaId && ids.Contains(c.Id))
                .ExecuteUpdateAsync(c => c.SetProperty(x => x.SeenAt, now), ct);
            await db.Sessions.Where(s => watched.Contains(s.Id)).ExecuteUpdateAsync(s => s.SetProperty(x => x.LastViewerAt, now), ct);
        }
        var stale = now - Stale;
        await db.ViewerRecords.Where(c => c.SeenAt < stale).ExecuteDeleteAsync(ct);
    }

    private static Task TouchAsync(SortieDb db, Guid sessionId, DateTime now) =>
        db.Sessions.Where(s => s.Id == sessionId).ExecuteUpdateAsync(s => s.SetProperty(x => x.LastViewerAt, now));

    /// <summary>A lone server (SQLite) starting: every connection listed is from an earlier run, and gone.</summary>
    public async Task ForgetEarlierRunsAsync(CancellationToken ct)
    {
        if (options.Database is not null) return; // Other replicas' connections are live; stale rows are swept.
        await using var db = await dbs.CreateDbContextAsync(ct);
        await db.ViewerRecords.ExecuteDeleteAsync(ct);
    }
}

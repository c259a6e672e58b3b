using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Sortie.Access;
using Sortie.Data;
using Sortie.Platform;
using Sortie.Replicas;

namespace Sortie.Viewers;

/// <summary>
/// Keeps every live connection standing on access the database still grants. After a change (a share revoked or
/// changed, a session ended, an account deleted) this replica's viewers are checked at once and the other replicas
/// are told to check theirs; a viewer whose access ends by itself (a link's expiry) is checked at that moment; and
/// every <see cref="SortieOptions.AccessRecheck"/> all of them are checked again, so a lost signal cannot leave access
/// open for longer than that. The features tell it of changes through <see cref="IAccessChanges"/>, the other replicas
/// through their <see cref="ReplicaSignal"/>s.
/// </summary>
public sealed class ViewerGuard(LocalViewers viewers, ViewerRoom room, IDbContextFactory<SortieDb> dbs, IReplicaBus replicas,
    SortieOptions options, TimeProvider clock, ILogger<ViewerGuard> log) : BackgroundService, IAccessChanges, IReplicaSignalHandler
{
    public async Task SessionChangedAsync(Guid? sessionId)
    {
        var changedAt = Stopwatch.GetTimestamp();
        await RecheckViewersAsync(sessionId is { } id ? viewers.Of(id) : viewers.All(), CancellationToken.None, changedAt);
        await replicas.PublishAsync(ReplicaSignal.Access(sessionId));
    }

    /// <summary>
    /// Compares each live viewer of <paramref name="sessionId"/> (null: of every session) with the access the database
    /// grants now, and closes those that lost it (<see cref="CloseReason.AccessRevoked"/>), whose access changed
    /// (<see cref="CloseReason.PermissionChanged"/>: they reconnect with the new one) or whose session ended.
    /// </summary>
    public Task RecheckAsync(Guid? sessionId, CancellationToken ct) =>
        RecheckViewersAsync(sessionId is { } id ? viewers.Of(id) : viewers.All(), ct);

    /// <summary>Their connections on this replica close at once; other replicas' close at their next periodic recheck.</summary>
    public Task LoginsEndedAsync(Guid userId) =>
        RecheckViewersAsync(viewers.All().Where(v => v.UserId == userId && v.BrowserLoginId is not null).ToList(), CancellationToken.None);

    /// <summary>Another replica saved a change of who may see a session: its viewers here are checked.</summary>
    public Task HandleAsync(ReplicaSignal signal, CancellationToken ct) =>
        signal.Kind == ReplicaSignal.Kinds.Access ? RecheckAsync(signal.SessionId, ct) : Task.CompletedTask;

    /// <summary>Signals sent while this replica was not listening are lost: every viewer is checked.</summary>
    public Task CatchUpAsync(CancellationToken ct) => RecheckAsync(null, ct);

    /// <param name="changedAt">When the access change was made, if that is why: the close latency is measured from it.</param>
    private async Task RecheckViewersAsync(IReadOnlyList<Viewer> live, CancellationToken ct, long? changedAt = null)
    {
        if (live.Count == 0) return;
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        // Connections opened with a sign-in cookie stand on its login too.
        var loginIds = live.Where(v => v.BrowserLoginId is not null).Select(v => v.BrowserLoginId!.Value).Distinct().ToList();
        var standingLogins = loginIds.Count == 0 ? []
            : (await db.BrowserLogins.Where(l => loginIds.Contains(l.Id) && l.ExpiresAt > now).Select(l => l.Id).ToListAsync(ct)).ToHashSet();
        await CloseAsync(live.Where(v => v.BrowserLoginId is { } login && !standingLogins.Contains(login)).ToList(), CloseReason.AccessRevoked, changedAt);
        live = live.Where(v => v.ClosedBy is null).ToList();
        foreach (var watched in live.GroupBy(v => v.SessionId))
        {
            var session = await db.Sessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == watched.Key, ct);
            if (session is not { Status: SessionStatus.Running })
            {
                await CloseAsync(watched, CloseReason.SessionEnded, changedAt);
                continue;
            }
            foreach (var userId in watched.Select(v => v.UserId).Distinct())
            {
                // The account as it is now: deleted, or its role changed since its token was issued.
                var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
                    .Select(u => new Caller(u.Id, u.Username, u.Role)).SingleOrDefaultAsync(ct);
                var access = user is null ? SessionAccess.None : await SessionAccess.OfAsync(db, user, session, now, ct);
                var losing = watched.Where(v => v.UserId == userId && v.Access != access).ToList();
                if (losing.Count == 0) continue;
                // The session read above may have ended since: it is marked ended before its shares go.
                var ended = !access.CanSee && !await db.Sessions.Running().AnyAsync(s => s.Id == session.Id, ct);
                await CloseAsync(losing, ended ? CloseReason.SessionEnded : access.CanSee ? CloseReason.PermissionChanged : CloseReason.AccessRevoked, changedAt);
            }
        }
    }

    /// <summary>
    /// Arms a timer that rechecks the viewer's session when the viewer's access runs out by itself (a link's expiry,
    /// <see cref="SessionAccess.Until"/>), so it closes then rather than at the next periodic recheck. Null when the
    /// access does not expire; dispose it when the connection ends.
    /// </summary>
    public IDisposable? CloseAtExpiry(Viewer viewer)
    {
        if (viewer.Access.Until is not { } until) return null;
        ITimer? timer = null;
        // Armed only once assigned: the callback may need it to wait out the rest.
        timer = clock.CreateTimer(_ => _ = ExpireAsync(viewer, until, timer!), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        timer.Change(Left(until), Timeout.InfiniteTimeSpan);
        return timer;
    }

    private async Task ExpireAsync(Viewer viewer, DateTime until, ITimer timer)
    {
        try
        {
            // A timer may fire a little early, when the database still grants the access: wait out the rest.
            if (Left(until) > TimeSpan.Zero) { timer.Change(Left(until), Timeout.InfiniteTimeSpan); return; }
            await RecheckAsync(viewer.SessionId, CancellationToken.None);
        }
        catch (ObjectDisposedException) { } // the connection ended meanwhile
        catch (Exception e) { log.LogError(e, "Closing viewers whose link expired failed"); }
    }

    private TimeSpan Left(DateTime until) => TimeSpan.FromTicks(Math.Max(0, (until - clock.GetUtcNow().UtcDateTime).Ticks));

    /// <summary>Off the lists first, so that whoever the close frame reaches no longer sees the viewer listed.</summary>
    private async Task CloseAsync(IEnumerable<Viewer> closing, CloseReason reason, long? changedAt = null)
    {
        foreach (var viewer in closing)
        {
            try { await room.LeaveAsync(viewer); }
            finally { viewer.Close(reason, changedAt); }
        }
    }

    /// <summary>Rechecks every viewer, then says those left are still here (<see cref="ViewerRoom.RefreshAsync"/>).</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.LiveCheckInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RecheckAsync(null, stoppingToken);
                await room.RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException) { log.LogError(e, "Rechecking live viewers failed"); }
        }
    }
}

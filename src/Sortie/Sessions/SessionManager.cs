using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Sortie.Access;
using Sortie.Data;
using Sortie.Events;
using Sortie.Platform;
using Sortie.Runners;

namespace Sortie.Sessions;

/// <summary>
/// A session's life: launch (quota, then the runner), reading it as the caller may, and its end
/// (asked for, idle, or its processes gone), which always disconnects its viewers.
/// </summary>
public sealed class SessionManager(
    IDbContextFactory<SortieDb> dbs,
    ISessionRunner runner,
    SessionLookup lookup,
    IAccessChanges access,
    EventHub events,
    IEnumerable<ISessionObserver> observers,
    SortieOptions options,
    TimeProvider clock,
    ILogger<SessionManager> log)
{
    public const int MinWidth = 320, MinHeight = 240, MaxWidth = 3840, MaxHeight = 2160;
    public const int DefaultWidth = 1280, DefaultHeight = 800;

    private readonly ConcurrentDictionary<Guid, Task> _starting = new();

    public async Task<SessionDto> LaunchAsync(Caller caller, CreateSessionRequest request, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var app = await db.Apps.SingleOrDefaultAsync(a => a.Id == request.AppId, ct)
            ?? throw ApiProblem.NotFound("There is no app with this id.");
        if (app.LaunchType == LaunchType.Url)
            throw ApiProblem.BadRequest($"'{app.Name}' is a link: open {app.Url} in the browser; it needs no session.");
        // A desktop command, an RDP connection or a kiosk browser; what each needs was checked when the app was saved.
        var program = SessionProgram.For(app) ?? throw ApiProblem.BadRequest($"'{app.Name}' is not defined completely enough to launch.");
        var width = RequireInRange(request.Width ?? DefaultWidth, MinWidth, MaxWidth, "width");
        var height = RequireInRange(request.Height ?? DefaultHeight, MinHeight, MaxHeight, "height");

        // One launch at a time per user, on every replica: the transaction first writes the user's row, which holds
        // the next launch of the same user (PostgreSQL: a row lock; SQLite: the write lock) until this one commits, so
        // two launches cannot both count the sessions before either is saved.
        Session session;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.Users.Where(u => u.Id == caller.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.Role, x => x.Role), ct);
            if (!caller.IsAdmin)
            {
                var live = await db.Sessions.Live().CountAsync(s => s.OwnerId == caller.Id, ct);
                if (live >= options.MaxSessionsPerUser)
                    throw ApiProblem.TooMany($"You already run {live} sessions, the most allowed. End one to start another.");
            }
            var now = Now;
            session = new Session
            {
                AppId = app.Id, OwnerId = caller.Id, Width = width, Height = height, CreatedAt = now, LastViewerAt = now,
            };
            db.Sessions.Add(session);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        var launch = new SessionLaunch(session.Id, program, width, height, app.Name,
            new AppLimits(app.CpuLimit, app.MemoryLimitMb * (1L << 20)));
        _starting[session.Id] = Task.Run(() => StartAsync(launch));
        events.Publish(PortalEvent.SessionChanged, session.Id, [caller.Id]);
        return await GetAsync(caller, session.Id, ct);
    }

    /// <summary>The caller's live sessions; an admin with <paramref name="everyone"/> sees all live sessions.</summary>
    public async Task<IReadOnlyList<SessionDto>> ListAsync(Caller caller, bool everyone, CancellationToken ct)
    {
        if (everyone && !caller.IsAdmin) throw ApiProblem.Forbidden("Only admins may list everyone's sessions.");
        await using var db = await dbs.CreateDbContextAsync(ct);
        var sessions = await SessionLookup.WithAppAndOwner(db).Live()
            .Where(s => everyone || s.OwnerId == caller.Id)
            .OrderByDescending(s => s.CreatedAt)
            .ToListAsync(ct);
        return sessions.Select(s => SessionDto.From(s, SessionAccess.Managing(s, caller))).ToList();
    }

    /// <summary>Live sessions others share with the caller, newest first, each with how the caller reaches it.</summary>
    public async Task<IReadOnlyList<SessionDto>> ListSharedAsync(Caller caller, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var grants = await SessionAccess.GrantsAsync(db, caller.Id, null, Now, ct);
        return grants.Where(g => g.Session.IsLive).OrderByDescending(g => g.CreatedAt)
            .Select(g => SessionDto.From(g.Session, SessionAccess.Of(g))).ToList();
    }

    /// <summary>A session the caller may reach; anyone else learns nothing (404).</summary>
    public async Task<SessionDto> GetAsync(Caller caller, Guid id, CancellationToken ct)
    {
        var (session, access) = await lookup.FindAsync(caller, id, ct);
        return SessionDto.From(session, access);
    }

    /// <summary>Ends a session at its owner's or an admin's request.</summary>
    public async Task TerminateAsync(Caller caller, Guid id, CancellationToken ct)
    {
        var session = await lookup.FindManagedAsync(caller, id, "Only the session's owner or an admin may end it.", ct);
        if (session.IsLive) await EndAsync(id, SessionStatus.Terminated, $"Ended by {caller.Username}.");
    }

    /// <summary>Ends every live session of a user (their account is being deleted).</summary>
    public async Task EndAllOfAsync(Guid ownerId, string reason)
    {
        await using var db = await dbs.CreateDbContextAsync();
        var ids = await db.Sessions.Live().Where(s => s.OwnerId == ownerId).Select(s => s.Id).ToListAsync();
        foreach (var id in ids) await EndAsync(id, SessionStatus.Terminated, reason);
    }

    /// <summary>
    /// Marks a session ended, removes its shares and links, stops its processes and closes every viewer.
    /// Marking comes first, so a viewer racing to connect finds it ended; ending twice is harmless.
    /// </summary>
    public async Task EndAsync(Guid id, SessionStatus status, string reason)
    {
        List<Guid> concerned;
        await using (var db = await dbs.CreateDbContextAsync())
        {
            concerned = await ConcernedAsync(db, id); // before the shares go
            var now = Now;
            var changed = await db.Sessions.Live().Where(s => s.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, status).SetProperty(x => x.EndReason, reason)
                    .SetProperty(x => x.EndedAt, now));
            await db.Shares.Where(s => s.SessionId == id).ExecuteDeleteAsync();
            if (changed > 0) log.LogInformation("Session {SessionId} {Status}: {Reason}", id, status, reason);
        }
        await access.SessionChangedAsync(id);
        foreach (var observer in observers) await observer.SessionEndedAsync(id);
        await runner.StopAsync(id);
        events.Publish(PortalEvent.SessionChanged, id, concerned);
    }

    /// <summary>Everyone a session concerns: its owner and the users it is shared with.</summary>
    public static Task<List<Guid>> ConcernedAsync(SortieDb db, Guid sessionId) =>
        db.Sessions.Where(s => s.Id == sessionId).Select(s => s.OwnerId)
            .Concat(db.Shares.Where(s => s.SessionId == sessionId && s.UserId != null).Select(s => s.UserId!.Value))
            .ToListAsync();

    /// <summary>
    /// Ends running sessions that nobody has watched for the configured timeout: their idle clock
    /// (<see cref="Session.LastViewerAt"/>, kept by the viewer room) ran out, and nobody watches them here now
    /// (<paramref name="watchedHere"/>: a viewer connected meanwhile).
    /// </summary>
    public async Task EndIdleAsync(Func<Guid, bool> watchedHere, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var cutoff = clock.GetUtcNow().UtcDateTime - options.SessionTimeout;
        var idle = await db.Sessions.Running().Where(s => s.LastViewerAt < cutoff).Select(s => s.Id).ToListAsync(ct);
        foreach (var id in idle.Where(id => !watchedHere(id)))
            await EndAsync(id, SessionStatus.Terminated, "Ended after being idle with no viewer.");
    }

    /// <summary>
    /// At start-up: running sessions whose desktops outlived the last server are resumed, the rest are over;
    /// and the runner's own end-of-session reports are wired in. A session caught mid-start is given up at once by
    /// a lone server (SQLite); among replicas (PostgreSQL) another may be starting it, so it is left to
    /// <see cref="EndStuckStartsAsync"/>.
    /// </summary>
    public async Task ReconcileAsync(CancellationToken ct)
    {
        runner.SessionExited += (id, reason) => _ = RecordExitAsync(id, reason);
        await using var db = await dbs.CreateDbContextAsync(ct);
        var live = await db.Sessions.Live().Select(s => new { s.Id, s.Status }).ToListAsync(ct);
        foreach (var session in live)
        {
            if (session.Status == SessionStatus.Running && await runner.ResumeAsync(session.Id, ct)) continue;
            if (session.Status == SessionStatus.Creating && options.Database is not null) continue;
            await EndAsync(session.Id, SessionStatus.Terminated, session.Status == SessionStatus.Running
                ? "The server restarted and the session's desktop was gone."
                : "The server restarted while the session was starting.");
        }
    }

    /// <summary>
    /// The runner saw a session's processes end by themselves: the session is ended, retried until the database takes
    /// it (an outage must not leave a session "running" with nothing behind it, counted against its owner's limit).
    /// </summary>
    private async Task RecordExitAsync(Guid id, string reason)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await EndAsync(id, SessionStatus.Terminated, reason);
                return;
            }
            catch (Exception e)
            {
                var wait = TimeSpan.FromSeconds(Math.Min(30, 1 << Math.Min(attempt - 1, 5)));
                log.LogWarning(e, "Session {SessionId} ended ({Reason}), but recording it failed (attempt {Attempt}); trying again in {Wait}",
                    id, reason, attempt, wait);
                await Task.Delay(wait, clock);
            }
        }
    }

    /// <summary>
    /// Ends running sessions whose desktop is gone although no end was recorded (say, a retry above outlived by a
    /// restart). Only where the runner holds every session of the portal (the local runner: sandboxes live on this
    /// machine); a Kubernetes replica holds only its own.
    /// </summary>
    public async Task EndVanishedAsync(CancellationToken ct)
    {
        if (!runner.HoldsEverySession) return;
        await using var db = await dbs.CreateDbContextAsync(ct);
        var running = await db.Sessions.Running().Select(s => s.Id).ToListAsync(ct);
        // Read after the sessions: a session that starts running in between is already held.
        var held = runner.ActiveSessions.ToHashSet();
        foreach (var id in running.Where(id => !held.Contains(id) && !_starting.ContainsKey(id)))
            await EndAsync(id, SessionStatus.Terminated, "The session's desktop was gone.");
    }

    /// <summary>Longer than any runner takes to start a desktop (Kubernetes allows 2 minutes by default).</summary>
    public static readonly TimeSpan StartDeadline = TimeSpan.FromMinutes(10);

    /// <summary>Ends sessions still starting long after they were asked for: the replica starting them went away.</summary>
    public async Task EndStuckStartsAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var cutoff = Now - StartDeadline;
        var stuck = await db.Sessions.Where(s => s.Status == SessionStatus.Creating && s.CreatedAt < cutoff)
            .Select(s => s.Id).ToListAsync(ct);
        foreach (var id in stuck.Where(id => !_starting.ContainsKey(id)))
            await EndAsync(id, SessionStatus.Failed, "The session did not start in time.");
    }

    private async Task StartAsync(SessionLaunch launch)
    {
        try
        {
            await runner.StartAsync(launch, CancellationToken.None);
            await using var db = await dbs.CreateDbContextAsync();
            var now = clock.GetUtcNow().UtcDateTime;
            var started = await db.Sessions.Where(s => s.Id == launch.SessionId && s.Status == SessionStatus.Creating)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SessionStatus.Running)
                    .SetProperty(x => x.StartedAt, now).SetProperty(x => x.LastViewerAt, now));
            // Terminated while it was starting: the runner must not keep its processes.
            if (started == 0) await runner.StopAsync(launch.SessionId);
            else foreach (var observer in observers) await observer.SessionStartedAsync(launch.SessionId);
            events.Publish(PortalEvent.SessionChanged, launch.SessionId, await ConcernedAsync(db, launch.SessionId));
        }
        catch (Exception e)
        {
            var reason = e is RunnerException ? e.Message : "The session could not be started.";
            if (e is not RunnerException) log.LogError(e, "Session {SessionId} failed to start", launch.SessionId);
            await EndAsync(launch.SessionId, SessionStatus.Failed, reason);
        }
        finally { _starting.TryRemove(launch.SessionId, out _); }
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private static int RequireInRange(int value, int min, int max, string name) =>
        value >= min && value <= max ? value
            : throw ApiProblem.BadRequest($"The {name} must be between {min} and {max} pixels.");
}

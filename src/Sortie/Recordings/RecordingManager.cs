using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Sortie.Access;
using Sortie.Audit;
using Sortie.Data;
using Sortie.Events;
using Sortie.Platform;
using Sortie.Replicas;
using Sortie.Runners;
using Sortie.Sessions;
using Sortie.Viewers;

namespace Sortie.Recordings;

/// <summary>
/// Starts and stops sessions' recordings (at the owner's wish, or with the session when its app is recorded always), keeps
/// their rows, and lets their owners and admins find, download and delete them. One recording at most per session at a
/// time, on every replica (a unique index on the open ones). The recording runs on the replica that started it; a stop
/// asked of another replica is passed on to it.
/// </summary>
public sealed class RecordingManager(
    IDbContextFactory<SortieDb> dbs,
    ISessionRunner runner,
    SessionLookup sessions,
    LocalViewers viewers,
    AuditLog audit,
    EventHub events,
    IReplicaBus replicas,
    SortieOptions options,
    TimeProvider clock,
    ILogger<RecordingManager> log) : ISessionObserver, IReplicaSignalHandler
{
    /// <summary>How often a running recording's row is brought up to date (size, participants, still alive).</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);
    /// <summary>An open recording whose row has not moved for this long lost its server: it is closed as interrupted.</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(1);

    /// <summary>How long an app recorded always waits to record again after its recording stopped on a full disk.</summary>
    public static readonly TimeSpan DiskFullRetry = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<Guid, Running> _running = new();

    /// <summary>The recorder of a session recording on this replica now, if any.</summary>
    public Recorder? Of(Guid sessionId) => _running.TryGetValue(sessionId, out var running) ? running.Recorder : null;

    /// <summary>Whether a session is being recorded now and whether it may be (for its page and the API).</summary>
    public async Task<SessionRecordingDto> StateAsync(Caller caller, Guid sessionId, CancellationToken ct)
    {
        var (session, _) = await sessions.FindAsync(caller, sessionId, ct);
        return await StateOfAsync(session, ct);
    }

    /// <summary>Starts or stops a session's recording, as its owner or an admin.</summary>
    public async Task<SessionRecordingDto> SetAsync(Caller caller, Guid sessionId, bool enabled, CancellationToken ct)
    {
        var session = await sessions.FindManagedAsync(caller, sessionId, "Only the session's owner or an admin may start or stop its recording.", ct);
        var policy = session.App.Recording;
        if (enabled)
        {
            if (policy == RecordingPolicy.Off)
                throw ApiProblem.Conflict($"'{session.App.Name}' sessions are not recorded (an admin's setting of the app).");
            if (session.Status != SessionStatus.Running) throw ApiProblem.Conflict("Only a running session can be recorded.");
            await StartAsync(session, caller.Username, caller);
        }
        else
        {
            if (policy == RecordingPolicy.Always)
                throw ApiProblem.Forbidden($"'{session.App.Name}' sessions are always recorded (an admin's setting of the app): the recording cannot be stopped.");
            await StopAsync(session.Id, $"stopped by {caller.Username}", caller);
        }
        return await StateOfAsync(session, ct);
    }

    async Task ISessionObserver.SessionStartedAsync(Guid sessionId)
    {
        Session? session;
        await using (var db = await dbs.CreateDbContextAsync())
            session = await SessionLookup.WithAppAndOwner(db).SingleOrDefaultAsync(s => s.Id == sessionId);
        if (session is { Status: SessionStatus.Running, App.Recording: RecordingPolicy.Always }) await TryStartAsync(session);
    }

    Task ISessionObserver.SessionEndedAsync(Guid sessionId) => StopAsync(sessionId, "session ended", null);

    /// <summary>
    /// The housekeeper's round: every running session of an app recorded always has its recording (one that stopped by
    /// itself, say at a restart, starts again), open recordings whose server died are closed, and old ones are deleted.
    /// </summary>
    public async Task SweepAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = Now;
        var abandoned = await db.Recordings.Where(r => r.EndedAt == null && r.UpdatedAt < now - AbandonedAfter).ToListAsync(ct);
        foreach (var recording in abandoned.Where(r => !_running.Values.Any(running => running.RecordingId == r.Id)))
            await CloseInterruptedAsync(db, recording, ct);

        // A recording that stopped on a full disk is tried again some minutes later, not at every round.
        var retryAfterFull = now - DiskFullRetry;
        var unrecorded = await SessionLookup.WithAppAndOwner(db).Running()
            .Where(s => s.App.Recording == RecordingPolicy.Always && !db.Recordings.Any(r => r.SessionId == s.Id
                && (r.EndedAt == null || r.StopReason == RecordingFileException.DiskFull && r.EndedAt > retryAfterFull)))
            .ToListAsync(ct);
        foreach (var session in unrecorded) await TryStartAsync(session);

        await DeleteOrphanFilesAsync(db, ct);

        var expired = await db.Recordings.Where(r => r.EndedAt != null && r.EndedAt < now - options.RecordingRetention).ToListAsync(ct);
        foreach (var recording in expired)
        {
            await DeleteFileAndRowAsync(db, recording, ct);
            await audit.WriteAsync(AuditActions.RecordingDeleted, null, recording.SessionId, subject: recording.Id.ToString(),
                detail: $"kept {options.RecordingRetention.TotalDays:0.#} days (SORTIE_RECORDING_RETENTION)");
        }
    }

    /// <summary>
    /// A lone server (SQLite) starting: every open recording is from an earlier run, which stopped or crashed, and is
    /// closed as interrupted (playable up to its last record). With several replicas, the sweep closes them once silent.
    /// </summary>
    public async Task CloseEarlierRunsAsync(CancellationToken ct)
    {
        if (options.Database is not null) return;
        await using var db = await dbs.CreateDbContextAsync(ct);
        foreach (var recording in await db.Recordings.Where(r => r.EndedAt == null).ToListAsync(ct))
            await CloseInterruptedAsync(db, recording, ct);
    }

    /// <summary>The recordings the caller may see: their own sessions'; an admin's, everyone's. Newest first.</summary>
    public async Task<IReadOnlyList<RecordingDto>> ListAsync(Caller caller, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var rows = await Visible(db, caller).OrderByDescending(r => r.StartedAt).ToListAsync(ct);
        return rows.Select(Describe).ToList();
    }

    public async Task<RecordingDto> GetAsync(Caller caller, Guid id, CancellationToken ct) => Describe(await FindAsync(caller, id, ct));

    /// <summary>The file of a recording the caller may see, for download or playback (audited).</summary>
    public async Task<string> OpenFileAsync(Caller caller, Guid id, CancellationToken ct)
    {
        var recording = await FindAsync(caller, id, ct);
        var path = RecordingFile.PathOf(options.RecordingsDir, recording.Id);
        if (!File.Exists(path)) throw ApiProblem.NotFound("The recording's file is gone.");
        await audit.WriteAsync(AuditActions.RecordingViewed, caller, recording.SessionId, subject: recording.Id.ToString());
        return path;
    }

    /// <summary>Deletes an ended recording: its owner may, unless it was made under an app recorded always (then admins only).</summary>
    public async Task DeleteAsync(Caller caller, Guid id, CancellationToken ct)
    {
        var recording = await FindAsync(caller, id, ct);
        if (recording.Policy == RecordingPolicy.Always && !caller.IsAdmin)
            throw ApiProblem.Forbidden("This recording was made because the app is always recorded: only an admin may delete it.");
        if (recording.EndedAt is null) throw ApiProblem.Conflict("The recording is still running: stop it first.");
        await using var db = await dbs.CreateDbContextAsync(ct);
        await DeleteFileAndRowAsync(db, recording, ct);
        await audit.WriteAsync(AuditActions.RecordingDeleted, caller, recording.SessionId, subject: recording.Id.ToString());
    }

    /// <summary>Stops a session's recording: here if this replica records it, else through the one that does.</summary>
    public async Task StopAsync(Guid sessionId, string reason, Caller? actor)
    {
        if (_running.TryGetValue(sessionId, out var running))
        {
            running.Stop(reason, actor);
            await running.Finished;
            return;
        }
        await using var db = await dbs.CreateDbContextAsync();
        var changed = await db.Recordings.Where(r => r.SessionId == sessionId && r.EndedAt == null)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.StopRequested, reason));
        if (changed == 0) return;
        // A recording still starting here registers after the row is written: it reads the request after registering,
        // and this looks again after writing it, so one of the two sees the other.
        if (_running.TryGetValue(sessionId, out running))
        {
            running.Stop(reason, actor);
            await running.Finished;
            return;
        }
        await replicas.PublishAsync(ReplicaSignal.Recording(sessionId));
    }

    async Task IReplicaSignalHandler.HandleAsync(ReplicaSignal signal, CancellationToken ct)
    {
        if (signal is { Kind: ReplicaSignal.Kinds.Recording, SessionId: { } sessionId } && _running.ContainsKey(sessionId))
            await StopIfAskedAsync(sessionId, ct);
    }

    async Task IReplicaSignalHandler.CatchUpAsync(CancellationToken ct)
    {
        foreach (var sessionId in _running.Keys) await StopIfAskedAsync(sessionId, ct);
    }

    /// <summary>Stops this replica's recording of a session if another replica was asked to stop it.</summary>
    private async Task StopIfAskedAsync(Guid sessionId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var asked = await db.Recordings.Where(r => r.SessionId == sessionId && r.EndedAt == null && r.StopRequested != null)
            .Select(r => r.StopRequested).FirstOrDefaultAsync(ct);
        if (asked is not null && _running.TryGetValue(sessionId, out var running)) running.Stop(asked, null);
    }

    /// <summary>The policy's recording: failures are logged, never thrown at the session that started.</summary>
    private async Task TryStartAsync(Session session)
    {
        try { await StartAsync(session, "policy", null); }
        catch (Exception e) when (e is ApiProblem or IOException or RunnerException or DbUpdateException)
        {
            log.LogWarning("Session {SessionId} could not be recorded: {Problem}", session.Id, e.Message);
        }
        catch (Exception e)
        {
            // A session never fails for its recording; the housekeeper tries again.
            log.LogError(e, "Session {SessionId} could not be recorded", session.Id);
        }
    }

    private async Task StartAsync(Session session, string by, Caller? actor)
    {
        await using var db = await dbs.CreateDbContextAsync();
        var now = Now;
        var recording = new Recording
        {
            SessionId = session.Id, Policy = session.App.Recording, StartedBy = by, StartedAt = now, UpdatedAt = now,
            KeysLogged = options.RecordingKeys, Replica = replicas.ReplicaId,
        };
        db.Recordings.Add(recording);
        try { await db.SaveChangesAsync(); }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            // Recording already (the unique index on open recordings): asking twice is harmless.
            if (await db.Recordings.AnyAsync(r => r.SessionId == session.Id && r.EndedAt == null)) return;
            throw;
        }

        Stream? desktop = null;
        RecordingWriter? writer = null;
        try
        {
            Directory.CreateDirectory(options.RecordingsDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            desktop = await runner.ConnectAsync(session.Id, CancellationToken.None);
            writer = new RecordingWriter(RecordingFile.PathOf(options.RecordingsDir, recording.Id), options.RecordingMaxBytes, clock);
        }
        catch (Exception e) when (e is IOException or RunnerException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            if (desktop is not null) await desktop.DisposeAsync();
            db.Recordings.Remove(recording);
            await db.SaveChangesAsync();
            throw e is IOException io && DiskSpace.IsFull(io)
                ? ApiProblem.Conflict("The recording could not start: the recordings' disk is full.")
                : ApiProblem.Conflict("The recording could not start: the session's desktop is not reachable.");
        }

        var recorder = new Recorder(recording.Id, new RecordingStart(session.Id, session.App.Name, session.Owner.Username, by, now),
            writer, options.RecordingKeys);
        var running = new Running(recording.Id, recorder);
        _running[session.Id] = running;
        // Those watching already are in it from the start.
        foreach (var viewer in viewers.Of(session.Id)) recorder.Join(viewer);
        await StopIfAskedAsync(session.Id, CancellationToken.None); // the session ended, or a stop came, while it started
        await audit.WriteAsync(AuditActions.RecordingStarted, actor, session.Id, subject: recording.Id.ToString(),
            detail: by == "policy" ? "the app is recorded always" : $"by {by}");
        log.LogInformation("Session {SessionId} recording {RecordingId} started by {By}", session.Id, recording.Id, by);
        _ = Task.Run(() => RecordAsync(running, desktop));
        events.Publish(PortalEvent.SessionChanged, session.Id, await SessionManager.ConcernedAsync(db, session.Id));
    }

    /// <summary>Runs a recording to its end, keeping its row up to date, then closes it and says why.</summary>
    private async Task RecordAsync(Running running, Stream desktop)
    {
        try { await RecordToTheEndAsync(running, desktop); }
        finally { running.Ended(); }
    }

    private async Task RecordToTheEndAsync(Running running, Stream desktop)
    {
        var recorder = running.Recorder;
        // The recorder owns the desktop connection (and makes another if the desktop drops it before its first update).
        var recording = recorder.RunAsync(desktop, ct => runner.ConnectAsync(recorder.SessionId, ct));
        using (var progress = new PeriodicTimer(ProgressInterval, clock))
        {
            while (!recording.IsCompleted)
            {
                var tick = progress.WaitForNextTickAsync().AsTask();
                if (await Task.WhenAny(recording, tick) == tick) await SaveProgressAsync(recorder, ended: null, reason: null);
            }
        }
        await recording;
        // Off the list first: input arriving now is not the recording's any more, and a stop finds nothing to stop.
        _running.TryRemove(new KeyValuePair<Guid, Running>(recorder.SessionId, running));
        var reason = running.Reason ?? recorder.Failure ?? "stopped";
        recorder.End(reason);
        var length = recorder.Length;
        await recorder.DisposeAsync();
        await SaveProgressAsync(recorder, ended: Now, reason, length);
        await audit.WriteAsync(AuditActions.RecordingStopped, running.Actor, recorder.SessionId, subject: recorder.RecordingId.ToString(),
            detail: reason);
        log.LogInformation("Session {SessionId} recording {RecordingId} stopped: {Reason}", recorder.SessionId, recorder.RecordingId, reason);
        await using var db = await dbs.CreateDbContextAsync();
        events.Publish(PortalEvent.SessionChanged, recorder.SessionId, await SessionManager.ConcernedAsync(db, recorder.SessionId));
    }

    private async Task SaveProgressAsync(Recorder recorder, DateTime? ended, string? reason, long? length = null)
    {
        try
        {
            await using var db = await dbs.CreateDbContextAsync();
            var now = Now;
            var size = length ?? recorder.Length;
            var participants = Truncate(string.Join(",", recorder.Participants), 4096);
            await db.Recordings.Where(r => r.Id == recorder.RecordingId).ExecuteUpdateAsync(r => r
                .SetProperty(x => x.SizeBytes, size).SetProperty(x => x.Participants, participants).SetProperty(x => x.UpdatedAt, now)
                .SetProperty(x => x.EndedAt, x => ended ?? x.EndedAt).SetProperty(x => x.StopReason, x => reason ?? x.StopReason));
        }
        catch (Exception e) when (ended is null && DatabaseFaults.Describe(e) is not null)
        {
            log.LogDebug("Recording {RecordingId}: progress not saved (database unavailable)", recorder.RecordingId);
        }
    }

    /// <summary>An open recording whose server died: closed at its last record, its file kept (playable up to there).</summary>
    private async Task CloseInterruptedAsync(SortieDb db, Recording recording, CancellationToken ct)
    {
        var path = RecordingFile.PathOf(options.RecordingsDir, recording.Id);
        uint lastMs = 0;
        long size = 0;
        if (File.Exists(path))
        {
            size = new FileInfo(path).Length;
            try
            {
                foreach (var entry in await RecordingReader.ReadFileAsync(path, ct)) lastMs = entry.TimeMs;
            }
            catch (InvalidDataException) { }
        }
        recording.EndedAt = recording.StartedAt.AddMilliseconds(lastMs);
        recording.StopReason = "interrupted: its server stopped";
        recording.SizeBytes = size;
        await db.SaveChangesAsync(ct);
        await audit.WriteAsync(AuditActions.RecordingStopped, null, recording.SessionId, subject: recording.Id.ToString(),
            detail: recording.StopReason);
    }

    /// <summary>
    /// Files whose row is gone: their session's owner was deleted (sessions and their recordings' rows go with the
    /// account). A row is always written before its file, so a file without one is never a recording starting.
    /// </summary>
    private async Task DeleteOrphanFilesAsync(SortieDb db, CancellationToken ct)
    {
        if (!Directory.Exists(options.RecordingsDir)) return;
        var files = Directory.EnumerateFiles(options.RecordingsDir, "*" + RecordingFile.Extension)
            .Select(path => (Path: path, Id: Guid.TryParseExact(Path.GetFileNameWithoutExtension(path), "N", out var id) ? id : Guid.Empty))
            .Where(f => f.Id != Guid.Empty).ToList();
        if (files.Count == 0) return;
        var ids = files.Select(f => f.Id).ToList();
        var kept = (await db.Recordings.Where(r => ids.Contains(r.Id)).Select(r => r.Id).ToListAsync(ct)).ToHashSet();
        foreach (var orphan in files.Where(f => !kept.Contains(f.Id)))
        {
            File.Delete(orphan.Path);
            log.LogInformation("Recording file {File} deleted: its recording is gone (its owner's account was deleted)", orphan.Path);
        }
    }

    private async Task DeleteFileAndRowAsync(SortieDb db, Recording recording, CancellationToken ct)
    {
        File.Delete(RecordingFile.PathOf(options.RecordingsDir, recording.Id));
        await db.Recordings.Where(r => r.Id == recording.Id).ExecuteDeleteAsync(ct);
    }

    private async Task<Recording> FindAsync(Caller caller, Guid id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await Visible(db, caller).SingleOrDefaultAsync(r => r.Id == id, ct)
            ?? throw ApiProblem.NotFound("There is no such recording.");
    }

    /// <summary>Owners see their sessions' recordings, admins all; whoever a session was shared with sees none (documented).</summary>
    private static IQueryable<Recording> Visible(SortieDb db, Caller caller) =>
        db.Recordings.AsNoTracking().Include(r => r.Session).ThenInclude(s => s.App).Include(r => r.Session).ThenInclude(s => s.Owner)
            .Where(r => caller.IsAdmin || r.Session.OwnerId == caller.Id);

    private RecordingDto Describe(Recording r) => RecordingDto.From(r, _running.TryGetValue(r.SessionId, out var running)
        && running.RecordingId == r.Id ? running.Recorder.Length : r.SizeBytes, Now);

    private async Task<SessionRecordingDto> StateOfAsync(Session session, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var open = await db.Recordings.Where(r => r.SessionId == session.Id && r.EndedAt == null)
            .Select(r => new { r.Id, r.StartedAt }).FirstOrDefaultAsync(ct);
        return new SessionRecordingDto(session.App.Recording, open is not null, open?.Id, open?.StartedAt);
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>A recording running on this replica: its recorder, and why and by whom it was asked to stop.</summary>
    private sealed class Running(Guid recordingId, Recorder recorder)
    {
        public Guid RecordingId { get; } = recordingId;
        public Recorder Recorder { get; } = recorder;
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes once the recording has ended and its row says so.</summary>
        public Task Finished => _done.Task;

        public void Ended() => _done.TrySetResult();
        public string? Reason { get; private set; }
        public Caller? Actor { get; private set; }

        public void Stop(string reason, Caller? actor)
        {
            lock (this)
            {
                Reason ??= reason;
                Actor ??= actor;
            }
            Recorder.Stop();
        }
    }
}

using Sortie.Auth;
using Sortie.Platform;
using Sortie.Recordings;
using Sortie.Sessions;
using Sortie.Sharing;
using Sortie.Viewers;

namespace Sortie.Hosting;

/// <summary>
/// The periodic chores: ending sessions idle past SORTIE_SESSION_TIMEOUT, stuck starting or whose desktop is gone, and sweeping expired share
/// links and browser logins, and keeping recordings (started where an app is recorded always, closed where their server
/// died, deleted past SORTIE_RECORDING_RETENTION). (Access checks never wait for the sweep: an expired link or login grants nothing even
/// before it runs.)
/// </summary>
public sealed class Housekeeper(SessionManager sessions, SharingService sharing, BrowserLogins logins, LocalViewers viewers,
    RecordingManager recordings, SortieOptions options, TimeProvider clock, ILogger<Housekeeper> log)
    : BackgroundService
{
    /// <summary>Often enough that a session outlives its timeout by half of it at most, and at least every 30 s.</summary>
    public TimeSpan Interval => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, options.SessionTimeout.Ticks / 2));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await sessions.EndIdleAsync(viewers.IsWatched, stoppingToken);
                await sessions.EndStuckStartsAsync(stoppingToken);
                await sessions.EndVanishedAsync(stoppingToken);
                await sharing.SweepExpiredLinksAsync(stoppingToken);
                await logins.SweepExpiredAsync(stoppingToken);
                await recordings.SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException) { log.LogError(e, "Housekeeping failed"); }
        }
    }
}

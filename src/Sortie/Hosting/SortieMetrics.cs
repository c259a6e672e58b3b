using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Sortie.Data;
using Sortie.Gateway;

namespace Sortie.Hosting;

/// <summary>
/// Sortie's own instruments, exported at /metrics (see docs/operations.md). Labels never name a user, a session or a path,
/// so the number of series stays small whatever happens.
/// </summary>
public sealed class SortieMetrics : IDisposable
{
    public const string MeterName = "Sortie";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _gatewayBytes;
    private readonly Counter<long> _revocations;
    private readonly Histogram<double> _revocationClose;
    private readonly Counter<long> _joins;
    private readonly Counter<long> _loginFailures;

    public SortieMetrics(IDbContextFactory<SortieDb> dbs, ViewerRegistry viewers)
    {
        _meter.CreateObservableGauge("sortie.sessions", () => SessionsByState(dbs), "{session}", "Sessions by state (from the database).");
        _meter.CreateObservableGauge("sortie.viewers", () => ViewersByPermission(viewers), "{viewer}",
            "Live gateway connections on this replica, by the permission they stand on.");
        _gatewayBytes = _meter.CreateCounter<long>("sortie.gateway.bytes", "By", "Bytes the gateway relayed, by direction.");
        _revocations = _meter.CreateCounter<long>("sortie.revocations", "{share}", "Shares revoked.");
        _revocationClose = _meter.CreateHistogram<double>("sortie.revocation.close", "s",
            "From an access change to the close frame sent to each viewer it closed.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _joins = _meter.CreateCounter<long>("sortie.joins", "{join}", "Link joins, by result (joined or refused).");
        _loginFailures = _meter.CreateCounter<long>("sortie.login.failures", "{login}", "Logins refused for a wrong username or password.");
    }

    /// <summary>Bytes sent from the viewer to the desktop (after filtering).</summary>
    public void ToDesktop(int bytes) => _gatewayBytes.Add(bytes, new KeyValuePair<string, object?>("direction", "to_desktop"));

    /// <summary>Bytes sent from the desktop to the viewer (after filtering).</summary>
    public void ToViewer(int bytes) => _gatewayBytes.Add(bytes, new KeyValuePair<string, object?>("direction", "to_viewer"));

    public void Revoked() => _revocations.Add(1);

    /// <summary>A viewer closed by an access change got its close frame; <paramref name="changedAt"/> is a <see cref="Stopwatch"/> timestamp.</summary>
    public void RevocationClosed(long changedAt) => _revocationClose.Record(Stopwatch.GetElapsedTime(changedAt).TotalSeconds);

    public void Joined() => _joins.Add(1, new KeyValuePair<string, object?>("result", "joined"));

    public void JoinRefused() => _joins.Add(1, new KeyValuePair<string, object?>("result", "refused"));

    public void LoginFailed() => _loginFailures.Add(1);

    /// <summary>One COUNT ... GROUP BY at scrape time; every state is reported, at 0 when there is none.</summary>
    private static IEnumerable<Measurement<long>> SessionsByState(IDbContextFactory<SortieDb> dbs)
    {
        using var db = dbs.CreateDbContext();
        var counts = db.Sessions.GroupBy(s => s.Status).Select(g => new { g.Key, Count = g.LongCount() }).ToDictionary(g => g.Key, g => g.Count);
        return Enum.GetValues<SessionStatus>().Select(state => new Measurement<long>(counts.GetValueOrDefault(state),
            new KeyValuePair<string, object?>("state", state.ToString().ToLowerInvariant()))).ToList();
    }

    private static IEnumerable<Measurement<long>> ViewersByPermission(ViewerRegistry viewers)
    {
        var live = viewers.All();
        return ViewerPermissions.Select(permission => new Measurement<long>(live.Count(v => PermissionOf(v) == permission),
            new KeyValuePair<string, object?>("permission", permission))).ToList();
    }

    private static readonly string[] ViewerPermissions = ["owner", "read_write", "read_only"];

    /// <summary>The owner (or an admin) manages the session; everyone else stands on a share's permission.</summary>
    private static string PermissionOf(LiveViewer viewer) => viewer.Access switch
    {
        { CanManage: true } => "owner",
        { Permission: SharePermission.ReadWrite } => "read_write",
        _ => "read_only",
    };

    public void Dispose() => _meter.Dispose();
}

using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Sortie.Platform;

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

    public SortieMetrics()
    {
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

    /// <summary>
    /// A gauge read at each scrape, from a part above this one (the sessions from the database, the viewers from the
    /// viewer room: Hosting's MetricsEndpoint wires them), so that the instruments stay below every feature.
    /// </summary>
    public void Observe(string name, Func<IEnumerable<Measurement<long>>> read, string unit, string description) =>
        _meter.CreateObservableGauge(name, read, unit, description);

    public void Dispose() => _meter.Dispose();
}

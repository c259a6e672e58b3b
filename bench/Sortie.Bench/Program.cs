using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Sortie.Bench;
using Sortie.Data;
using Sortie.Sessions;
using Sortie.Sharing;
using Sortie.Testing;
using Sortie.Platform;
using Sortie.Rfb.Testing;

// ./bench.sh runs this (Release). `Sortie.Bench peer` is the child process of the throughput runs (Peer.cs).
if (args is ["peer", ..]) { await Peer.RunAsync(); return 0; }

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var outPath = Option("--out") ?? "bench/results.md";
var seconds = double.Parse(Option("--seconds") ?? "5");
var only = (Option("--only") ?? "throughput,revocation,start,api,fanout").Split(',');
var table = new Results();

if (only.Contains("throughput")) await Benchmarks.ThroughputAsync(table, seconds);
if (only.Contains("revocation") || only.Contains("start") || only.Contains("api"))
{
    await using var server = new RealServer();
    await server.InitializeAsync();
    if (only.Contains("revocation")) await Benchmarks.RevocationAsync(table, server, 100);
    if (only.Contains("start")) await Benchmarks.SessionStartAsync(table, server, 10);
    if (only.Contains("api")) await Benchmarks.ApiLoadAsync(table, server, seconds);
}
if (only.Contains("fanout"))
    await Benchmarks.FanOutAsync(table, (Option("--viewers") ?? "1,10,50,100").Split(',').Select(int.Parse).ToArray(), Math.Max(2, seconds / 2));

var markdown = table.ToMarkdown();
Console.WriteLine();
Console.WriteLine(markdown);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
File.WriteAllText(outPath, markdown);
Console.WriteLine($"Written to {outPath}");
return 0;

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

internal sealed class Results
{
    private readonly List<(string Section, string Name, string Result, string Ratio, string Notes)> _rows = [];

    public void Add(string section, string name, string result, string ratio = "", string notes = "")
    {
        _rows.Add((section, name, result, ratio, notes));
        Console.WriteLine($"  {section} | {name} | {result} | {ratio} | {notes}");
    }

    public string ToMarkdown()
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine($"Sortie benchmarks, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, all on loopback.");
        text.AppendLine();
        text.AppendLine("| Benchmark | Case | Result | Ratio | Notes |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var r in _rows) text.AppendLine($"| {r.Section} | {r.Name} | {r.Result} | {r.Ratio} | {r.Notes} |");
        return text.ToString();
    }
}

internal static class Benchmarks
{
    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    /// <summary>A difference with its sign, to a tenth ("+0.0" rather than "-0.0" for what rounds to nothing).</summary>
    private static string Signed(double difference) => (Math.Round(difference, 1) + 0.0).ToString("+0.0;-0.0;+0.0", CultureInfo.InvariantCulture);

    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    // ---------------------------------------------------------------- 1. gateway throughput

    /// <summary>Rounds of every case, one after the other (each round in another order), so that the machine's slow moments
    /// fall on all of them alike; each row reports the median round.</summary>
    private const int ThroughputRounds = 3;

    public static async Task ThroughputAsync(Results table, double seconds)
    {
        Console.WriteLine($"==> Gateway throughput (synthetic VNC server, 1920x1080 Raw updates, {ThroughputRounds} rounds)");
        await using var peer = await PeerProcess.StartAsync();
        await using var server = new SyntheticServer(peer.VncPort);
        await server.InitializeAsync();
        using var owner = await server.NewUserAsync();
        using (var admin = await server.AdminAsync()) await SessionRecording.RecordableAppAsync(admin, "desktop");
        var session = await owner.LaunchAsync("desktop-recordable");
        var recording = new SessionRecording(owner, session.Id);
        using var viewer = await server.NewUserAsync();
        await owner.InviteAsync(session.Id, viewer.User.Username, SharePermission.ReadOnly);
        var url = new UriBuilder(server.BaseUri) { Scheme = "ws", Path = $"/ws/sessions/{session.Id}" }.Uri;
        static TimeSpan OwnCpu() { using var me = Process.GetCurrentProcess(); return me.TotalProcessorTime; }

        // A viewer pulling pictures through the gateway, the session recorded or not. Recorded, the recorder has its own
        // connection to the synthetic desktop and asks for the whole screen ten times a second (a full-screen video: the
        // worst case for a recording); the CPU counted is Sortie's, recorder included.
        async Task<ThroughputRun> SortieAsync(string token, bool recorded)
        {
            if (recorded) await recording.StartAsync();
            try { return await peer.RunAsync($"run ws {url} {token} {seconds}", OwnCpu, recorded ? recording.BytesAsync : null); }
            finally { if (recorded) await recording.StopAsync(); }
        }

        // The recorder with no viewer: what recording that video costs the server by itself.
        async Task<ThroughputRun> RecorderAloneAsync()
        {
            await recording.StartAsync();
            try
            {
                await Task.Delay(500); // its handshake and first picture, as a viewer's warm-up
                var bytes = await recording.BytesAsync();
                var cpu = OwnCpu();
                var clock = Stopwatch.StartNew();
                await Task.Delay(TimeSpan.FromSeconds(seconds));
                var cpuUsed = (OwnCpu() - cpu).TotalMilliseconds;
                var elapsed = clock.Elapsed.TotalSeconds;
                var recorded = (await recording.BytesAsync() - bytes) / 1e6;
                return new ThroughputRun(0, cpuUsed / recorded, cpuUsed / 1000 / elapsed, recorded / elapsed);
            }
            finally { await recording.StopAsync(); }
        }

        // Unmeasured runs first: the server's JIT tiers its hot code up in the first seconds of load (without this, the JIT
        // thread took a fifth of the first case's CPU, and whichever case ran first looked 30-40 % slower). The recorder's
        // code too.
        foreach (var token in new[] { owner.Tokens!.AccessToken, viewer.Tokens!.AccessToken })
            foreach (var recorded in new[] { false, true })
            {
                if (recorded) await recording.StartAsync();
                await peer.RunAsync($"run ws {url} {token} 3", null);
                if (recorded) await recording.StopAsync();
            }

        const string FullAccess = "Sortie gateway, full-access viewer", ViewOnly = "Sortie gateway, view-only viewer (framed)", On = ", recording on";
        var cases = new List<(string Name, string Notes, Func<Task<ThroughputRun>> Run)>
        {
            ("direct TCP (the limit)", "no relay", () => peer.RunAsync($"run tcp 127.0.0.1:{peer.VncPort} - {seconds}", null)),
            ("socat, a plain TCP relay (no WebSocket)", "CPU/MB in socat: what the kernel alone charges a relay",
                () => RelayAsync(peer, "/usr/bin/socat", port => ["-b", "262144", $"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr", $"TCP:127.0.0.1:{peer.VncPort}"],
                    port => $"run tcp 127.0.0.1:{port} - {seconds}")),
            ("websockify 0.10 (Debian, TCP→WebSocket)", "CPU/MB in websockify",
                () => RelayAsync(peer, "/usr/bin/websockify", port => ["--run-once", $"127.0.0.1:{port}", $"127.0.0.1:{peer.VncPort}"],
                    port => $"run ws ws://127.0.0.1:{port}/ - {seconds}")),
            // Each gateway case beside the same with recording on: they follow each other in every round.
            (FullAccess, "CPU/MB in Sortie", () => SortieAsync(owner.Tokens!.AccessToken, recorded: false)),
            (FullAccess + On, "CPU/MB in Sortie", () => SortieAsync(owner.Tokens!.AccessToken, recorded: true)),
            (ViewOnly, "CPU/MB in Sortie", () => SortieAsync(viewer.Tokens!.AccessToken, recorded: false)),
            (ViewOnly + On, "CPU/MB in Sortie", () => SortieAsync(viewer.Tokens!.AccessToken, recorded: true)),
            ("Sortie recorder alone (no viewer)", "", RecorderAloneAsync),
        };
        var runs = cases.Select(_ => new List<ThroughputRun>()).ToList();
        for (var round = 1; round <= ThroughputRounds; round++)
            // Each round starts one case later: the first relay measured after another has run was slower, whichever it was.
            foreach (var i in Enumerable.Range(0, cases.Count).Select(c => (c + round - 1) % cases.Count))
            {
                if (cases[i].Name.StartsWith("socat") && !File.Exists("/usr/bin/socat") || cases[i].Name.StartsWith("websockify") && !File.Exists("/usr/bin/websockify"))
                    continue;
                runs[i].Add(await cases[i].Run());
                var run = runs[i][^1];
                Console.WriteLine($"    round {round}: {cases[i].Name}: {run.MBps:0} MB/s, {run.CpuMsPerMB:0.00} ms CPU/MB, {run.CpuShare * 100:0} % of a core"
                    + (run.RecordedMBps > 0 ? $", recording +{run.RecordedMBps:0.0} MB/s" : ""));
            }
        static double Median(IEnumerable<double> values) => Percentile(values.ToList(), 0.5);
        var direct = Median(runs[0].Select(r => r.MBps));
        for (var i = 0; i < cases.Count; i++)
        {
            var (name, notes, _) = cases[i];
            if (runs[i].Count == 0) { table.Add("Gateway throughput", name, "not installed", "", "apt-get install socat websockify"); continue; }
            var mbps = Median(runs[i].Select(r => r.MBps));
            var cpu = Median(runs[i].Select(r => r.CpuMsPerMB));
            var cores = Median(runs[i].Select(r => r.CpuShare)) * 100;
            var written = Median(runs[i].Select(r => r.RecordedMBps));
            if (i == 0) table.Add("Gateway throughput", name, $"{mbps:0} MB/s", "1.00", notes);
            else if (name.EndsWith(On))
            {
                // Against the same viewer unrecorded: the ratios of each round's pair (run one after the other), their median.
                var off = runs[i - 1];
                double Paired(Func<ThroughputRun, double> of) => Median(runs[i].Zip(off, (on, o) => of(on) / of(o)));
                table.Add("Gateway throughput", name, $"{mbps:0} MB/s", $"{mbps / direct:0.00}",
                    $"on/off: throughput {Paired(r => r.MBps):0.00}×, CPU/MB {Paired(r => r.CpuMsPerMB):0.00}×; {cpu:0.00} ms {notes}, " +
                    $"{cores:0} % of a core (off: {Median(off.Select(r => r.CpuShare)) * 100:0} %); recording file +{written:0.0} MB/s; medians of {runs[i].Count} rounds");
            }
            else if (name.StartsWith("Sortie recorder"))
                table.Add("Gateway throughput", name, $"recording file +{written:0.0} MB/s", "",
                    $"Sortie CPU {cores:0.0} % of a core, {cpu:0.00} ms per MB recorded; 1920x1080 Raw asked for 10 times a second; medians of {runs[i].Count} rounds");
            else
                table.Add("Gateway throughput", name, $"{mbps:0} MB/s", $"{mbps / direct:0.00}",
                    $"{cpu:0.00} ms {notes}" + (name.StartsWith("Sortie") ? $", {cores:0} % of a core" : "") + $"; medians of {runs[i].Count} rounds");
        }
    }

    /// <summary>One run through a relay started for it (it serves that one connection), its CPU read from /proc.</summary>
    private static async Task<ThroughputRun> RelayAsync(PeerProcess peer, string program, Func<int, string[]> arguments,
        Func<int, string> run)
    {
        var port = FreePort();
        using var relay = Process.Start(new ProcessStartInfo(program, arguments(port)) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        relay.OutputDataReceived += (_, _) => { };
        relay.ErrorDataReceived += (_, _) => { };
        relay.BeginOutputReadLine();
        relay.BeginErrorReadLine();
        for (var deadline = DateTime.UtcNow.AddSeconds(10); !ProcStat.Listening(port) && DateTime.UtcNow < deadline;) await Task.Delay(50);
        var result = await peer.RunAsync(run(port), () => ProcStat.Cpu(relay.Id));
        if (!relay.WaitForExit(5000)) relay.Kill();
        return result;
    }

    // ---------------------------------------------------------------- 2. revocation latency

    public static async Task RevocationAsync(Results table, SortieServer server, int trials)
    {
        Console.WriteLine($"==> Revocation latency ({trials} trials)");
        var (owner, session) = await server.NewRunningSessionAsync();
        using var _ = owner;
        using var viewer = await server.NewUserAsync();
        var latencies = new List<double>();
        for (var i = 0; i < trials; i++)
        {
            var share = await owner.InviteAsync(session.Id, viewer.User.Username);
            using var socket = await viewer.ConnectAsync(session.Id);
            // A whole RFB handshake: a live viewer (and Xvnc counts connections dropped before it as failures).
            await using var rfb = new RfbClient(WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: false));
            await rfb.HandshakeAsync();
            var start = Stopwatch.GetTimestamp();
            (await owner.Http.DeleteAsync($"/api/sessions/{session.Id}/shares/{share.Id}")).EnsureSuccessStatusCode();
            await rfb.ReadRawUntilQuietAsync(TimeSpan.FromSeconds(10)); // returns at the close frame (end of stream)
            latencies.Add(Ms(Stopwatch.GetTimestamp() - start));
            if (socket.CloseStatus is null) throw new InvalidOperationException($"Trial {i}: the viewer got no close frame.");
        }
        table.Add("Revocation", "DELETE share → viewer's close frame", $"p50 {Percentile(latencies, 0.5):0.0} ms, p99 {Percentile(latencies, 0.99):0.0} ms",
            "", $"{trials} trials, real session; includes the DELETE round trip");
    }

    // ---------------------------------------------------------------- 3. session start

    public static async Task SessionStartAsync(Results table, SortieServer server, int launches)
    {
        Console.WriteLine($"==> Session start ({launches} launches)");
        using var owner = await server.NewUserAsync();
        var app = await owner.AppAsync("desktop");
        List<double> running = [], firstFrame = [];
        for (var i = 0; i < launches; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var created = await ApiClient.ReadAsync<SessionDto>(await owner.PostAsync("/api/sessions", new CreateSessionRequest(app.Id, 1024, 768)));
            for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(5))
            {
                var now = await owner.GetAsync<SessionDto>($"/api/sessions/{created.Id}");
                if (now.Status == SessionStatus.Running) break;
                if (now.Status != SessionStatus.Creating || DateTime.UtcNow > deadline)
                    throw new InvalidOperationException($"The session is {now.Status}: {now.Reason}");
            }
            running.Add(Ms(Stopwatch.GetTimestamp() - start));
            await using (var rfb = await owner.ViewAsync(created.Id))
            {
                await rfb.RequestUpdateAsync(incremental: false);
                await rfb.WaitForUpdateAsync(TimeSpan.FromSeconds(20));
                firstFrame.Add(Ms(Stopwatch.GetTimestamp() - start));
            }
            await owner.Http.DeleteAsync($"/api/sessions/{created.Id}");
        }
        table.Add("Session start", "POST /api/sessions → running", $"p50 {Percentile(running, 0.5):0} ms, p95 {Percentile(running, 0.95):0} ms", "",
            $"{launches} launches of the demo desktop (1024x768)");
        table.Add("Session start", "POST /api/sessions → first framebuffer at the viewer", $"p50 {Percentile(firstFrame, 0.5):0} ms, p95 {Percentile(firstFrame, 0.95):0} ms",
            "", "running + gateway connect + RFB handshake + full update");
    }

    // ---------------------------------------------------------------- 4. API under load

    public static async Task ApiLoadAsync(Results table, SortieServer server, double seconds)
    {
        Console.WriteLine("==> API under load (64 concurrent clients)");
        var bare = WebApplication.CreateSlimBuilder();
        bare.Logging.ClearProviders();
        bare.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = bare.Build();
        app.MapGet("/", () => "ok");
        await app.StartAsync();
        using (var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(app.Urls.First()) })
        {
            var ceiling = await LoadAsync(seconds, () => http.GetAsync("/"));
            table.Add("API under load", "bare Kestrel GET / (ceiling)", $"{ceiling.Rps:0} req/s, p99 {ceiling.P99:0.0} ms", "1.00", $"{ceiling.Failures} non-2xx");
            // Both databases against the one ceiling, so that the ratios of a run compare.
            await ApiRowsAsync(table, server, ceiling.Rps, seconds);
            Console.WriteLine("==> API under load on PostgreSQL (a cluster of its own on loopback)");
            await using var postgres = new PostgresRealServer();
            await postgres.InitializeAsync();
            await ApiRowsAsync(table, postgres, ceiling.Rps, seconds);
        }
    }

    private static async Task ApiRowsAsync(Results table, SortieServer server, double ceiling, double seconds)
    {
        var database = server.Database is null ? "SQLite" : "PostgreSQL";
        var (owner, session) = await server.NewRunningSessionAsync();
        using var _ = owner;
        using var viewer = await server.NewUserAsync();
        var link = await owner.CreateLinkAsync(session.Id);
        (await viewer.JoinAsync(link.ShareUrl!)).EnsureSuccessStatusCode();
        var token = ApiClient.TokenOf(link.ShareUrl!);

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = server.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", viewer.Tokens!.AccessToken);
        var shared = await LoadAsync(seconds, () => http.GetAsync("/api/sessions/shared"));
        table.Add("API under load", $"GET /api/sessions/shared ({database})", $"{shared.Rps:0} req/s, p99 {shared.P99:0.0} ms",
            $"{shared.Rps / ceiling:0.00}", $"{shared.Failures} non-2xx; JWT auth");
        var join = await LoadAsync(seconds, () => http.PostAsJsonAsync("/api/sessions/shares/join", new JoinRequest(token), SortieJson.Options));
        table.Add("API under load", $"POST /api/sessions/shares/join ({database})", $"{join.Rps:0} req/s, p99 {join.P99:0.0} ms",
            $"{join.Rps / ceiling:0.00}", $"{join.Failures} non-2xx; same link again (already joined); join limits raised");
    }

    private static async Task<(double Rps, double P99, int Failures)> LoadAsync(double seconds, Func<Task<HttpResponseMessage>> send)
    {
        async Task<(List<double> Latencies, int Failures)> Client(TimeSpan duration)
        {
            var latencies = new List<double>();
            var failures = 0;
            for (var clock = Stopwatch.StartNew(); clock.Elapsed < duration;)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await send();
                await response.Content.ReadAsByteArrayAsync();
                latencies.Add(Ms(Stopwatch.GetTimestamp() - start));
                if (!response.IsSuccessStatusCode) failures++;
            }
            return (latencies, failures);
        }

        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Client(TimeSpan.FromSeconds(1)))); // warm-up
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => Client(TimeSpan.FromSeconds(seconds)))));
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = results.SelectMany(r => r.Latencies).ToList();
        return (all.Count / elapsed, Percentile(all, 0.99), results.Sum(r => r.Failures));
    }

    // ---------------------------------------------------------------- 5. fan-out

    public static async Task FanOutAsync(Results table, int[] counts, double seconds)
    {
        Console.WriteLine("==> Fan-out (one real session, Sortie as its own process; each round with and without recording)");
        var dataDir = Directory.CreateTempSubdirectory("sortie-bench-").FullName;
        try
        {
            var settings = BenchSettings.All.ToDictionary(s => s.Key.Replace(":", "__"), s => s.Value);
            settings["SORTIE_STOP_SESSIONS_ON_EXIT"] = "true";
            await using var server = await ServerProcess.StartAsync(dataDir, settings);
            var pid = ServerPid(dataDir);
            using var admin = await server.AdminAsync();
            using var owner = await admin.NewUserAsync(UserRole.User, "fanowner");
            using var watcher = await admin.NewUserAsync(UserRole.User, "fanviewer");
            await SessionRecording.RecordableAppAsync(admin, "desktop");
            var session = await owner.LaunchAsync("desktop-recordable", 640, 480);
            await owner.InviteAsync(session.Id, watcher.User.Username);
            var recording = new SessionRecording(owner, session.Id);
            // The session's Xvnc encodes each change once more for the recorder (ZRLE): its CPU is counted beside Sortie's.
            var xvnc = ProcStat.Descendant(pid, "Xvnc");

            // The owner moves the pointer; Xvnc draws the cursor into the picture of viewers that do not take
            // cursor shapes (RfbClient announces none), so each move is one small update to every viewer.
            await using var driver = await owner.ViewAsync(session.Id);
            using var stopDriver = new CancellationTokenSource();
            await driver.RequestUpdateAsync(false);
            await driver.WaitForUpdateAsync(TimeSpan.FromSeconds(20));
            var driverReads = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        await driver.RequestUpdateAsync(true, stopDriver.Token);
                        await driver.WaitForUpdateAsync(TimeSpan.FromMinutes(5), stopDriver.Token);
                    }
                }
                catch (Exception) { }
            });

            FanOutWindow? single = null, singleRecorded = null;
            double memoryPerViewer = 0;
            // A first round at the largest count, not reported, warms the server up: the Release build's JIT tiers up
            // under load (a one-viewer warm-up left that to the 10- and 50-viewer rounds, tripling their CPU), pools fill;
            // the recorder's code too.
            var rounds = counts.Select(c => (c, true)).Prepend((counts.Max(), false)).ToList();
            for (var round = 0; round < rounds.Count; round++)
            try
            {
                var (n, report) = rounds[round];
                Console.WriteLine($"    {n} viewers: connecting");
                var rssBefore = ProcStat.RssBytes(pid);
                var viewers = new List<RfbClient>();
                for (var v = 0; v < n; v++)
                    viewers.Add(await ((Func<Task<RfbClient>>)(async () =>
                    {
                        var socket = await watcher.ConnectAsync(session.Id);
                        var rfb = new RfbClient(WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true));
                        try
                        {
                            await rfb.HandshakeAsync();
                            await rfb.RequestUpdateAsync(false);
                            await rfb.WaitForUpdateAsync(TimeSpan.FromSeconds(30));
                        }
                        catch (Exception e) when (e is EndOfStreamException or WebSocketException or NotSupportedException)
                        {
                            throw new InvalidOperationException($"A viewer was closed while connecting: {socket.CloseStatus} {socket.CloseStatusDescription}", e);
                        }
                        return rfb;
                    }))().WaitAsync(TimeSpan.FromSeconds(30)));
                await Task.Delay(1000);
                var rssAfter = ProcStat.RssBytes(pid);
                if (!report) memoryPerViewer = (rssAfter - rssBefore) / 1024.0 / n;

                // The same viewers watched without and with the session recorded, in turn (one round off first, the next on
                // first), so that the machine's slow moments fall on both alike.
                var windows = new Dictionary<bool, FanOutWindow>();
                foreach (var recorded in round % 2 == 0 ? [false, true] : new[] { true, false })
                {
                    Console.WriteLine($"    {n} viewers: measuring, recording {(recorded ? "on" : "off")}");
                    windows[recorded] = await FanOutWindowAsync(pid, xvnc, driver, viewers, recorded ? recording : null, seconds);
                }
                Console.WriteLine($"    {n} viewers: closing");
                await Task.WhenAll(viewers.Select(rfb => rfb.DisposeAsync().AsTask())).WaitAsync(TimeSpan.FromSeconds(20));
                if (!report) continue;

                var (off, on) = (windows[false], windows[true]);
                single ??= off;
                singleRecorded ??= on;
                var name = $"{n} viewer{(n == 1 ? "" : "s")}";
                table.Add("Fan-out", name,
                    $"latency p50 {off.P50:0.0} ms ({Signed(off.P50 - single.P50)}), p95 {off.P95:0.0} ms ({Signed(off.P95 - single.P95)})", "",
                    $"server CPU {off.Cpu * 100:0.0} % of a core in all, {off.Cpu * 100 / n:0.00} % per viewer; {off.Frames} frames" +
                    (xvnc is null ? "" : $"; Xvnc {off.XvncCpu * 100:0.0} %"));
                table.Add("Fan-out", $"{name}, recording on",
                    $"latency p50 {on.P50:0.0} ms ({Signed(on.P50 - singleRecorded.P50)}), p95 {on.P95:0.0} ms ({Signed(on.P95 - singleRecorded.P95)})", "",
                    $"on − off: latency p50 {Signed(on.P50 - off.P50)} ms, p95 {Signed(on.P95 - off.P95)} ms; server CPU {on.Cpu * 100:0.0} % of a core " +
                    $"({Signed(on.Cpu * 100 - off.Cpu * 100)})" + (xvnc is null ? "" : $", Xvnc {on.XvncCpu * 100:0.0} % ({Signed(on.XvncCpu * 100 - off.XvncCpu * 100)})") +
                    $"; recording file +{on.RecordedKBps:0.0} KB/s; {on.Frames} frames");
                await Task.Delay(500);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException or WebSocketException)
            {
                // Whether the session itself ended (its Xvnc gone, say), and why.
                var now = await owner.GetAsync<SessionDto>($"/api/sessions/{session.Id}");
                throw new InvalidOperationException($"Round of {rounds[round].Item1} viewers: {e.Message} " +
                    $"(the session is {now.Status}{(now.Reason is null ? "" : $": {now.Reason}")})", e);
            }
            table.Add("Fan-out", "memory", $"RSS +{memoryPerViewer:0} KiB per viewer", "",
                $"{counts.Max()} viewers connecting to the fresh server (the warm-up round): its resident memory after, minus before");
            await stopDriver.CancelAsync();
            await driverReads.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e)
        {
            var log = Path.Combine(dataDir, "server.log");
            Console.WriteLine($"Fan-out failed: {e}\n{(File.Exists(log) ? string.Join("\n", File.ReadLines(log).TakeLast(15)) : "")}");
            table.Add("Fan-out", "(failed)", e.Message.ReplaceLineEndings(" ").Replace("|", "/"));
        }
        finally
        {
            try { Directory.Delete(dataDir, recursive: true); } catch (Exception) { }
        }
    }

    /// <summary>
    /// One fan-out window: the owner moves the pointer every 100 ms while every viewer keeps an incremental request out, with
    /// the session recorded when <paramref name="recording"/> is given (started before the server is let quiet, stopped after).
    /// </summary>
    private static async Task<FanOutWindow> FanOutWindowAsync(int pid, int? xvnc, RfbClient driver, List<RfbClient> viewers,
        SessionRecording? recording, double seconds)
    {
        if (recording is not null) await recording.StartAsync();
        await QuietAsync(pid); // the connects' and the last window's work (database, audit, a recording's start or end) done

        long lastMove = 0;
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var stopped = false;
        // The viewers are kept for the round's other window, so a loop is never cancelled half way through a read (that
        // aborts a WebSocket): it ends after an update once told to, with no request left out.
        var loops = viewers.Select(rfb => Task.Run(async () =>
        {
            while (!Volatile.Read(ref stopped))
            {
                await rfb.RequestUpdateAsync(true);
                await rfb.WaitForUpdateAsync(TimeSpan.FromSeconds(30));
                var arrived = Stopwatch.GetTimestamp();
                var moved = Interlocked.Read(ref lastMove);
                if (moved != 0 && !Volatile.Read(ref stopped)) latencies.Add(Ms(arrived - moved));
            }
        })).ToList();
        await Task.Delay(300);
        var recordedBefore = recording is null ? 0 : await recording.BytesAsync();
        var cpuBefore = ProcStat.Cpu(pid);
        var xvncBefore = xvnc is { } x0 ? ProcStat.Cpu(x0) : TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        var i = 0;
        Task MoveAsync()
        {
            var step = i++;
            Interlocked.Exchange(ref lastMove, Stopwatch.GetTimestamp());
            return driver.SendPointerAsync(100 + step % 2 * 200, 100 + step % 3 * 100, 0).WaitAsync(TimeSpan.FromSeconds(10));
        }
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            await MoveAsync();
            await Task.Delay(100);
        }
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpu = (ProcStat.Cpu(pid) - cpuBefore).TotalSeconds / elapsed;
        var xvncCpu = xvnc is { } x1 ? (ProcStat.Cpu(x1) - xvncBefore).TotalSeconds / elapsed : 0;
        var recorded = recording is null ? 0 : (await recording.BytesAsync() - recordedBefore) / 1e3 / elapsed;
        // The pointer keeps moving until every viewer has had the update its last request asked for.
        Volatile.Write(ref stopped, true);
        var ended = Task.WhenAll(loops);
        for (var deadline = Stopwatch.StartNew(); !ended.IsCompleted && deadline.Elapsed < TimeSpan.FromSeconds(20);)
        {
            await MoveAsync();
            await Task.WhenAny(ended, Task.Delay(100));
        }
        await ended.WaitAsync(TimeSpan.FromSeconds(1));
        if (recording is not null) await recording.StopAsync();

        var list = latencies.ToList();
        return new FanOutWindow(Percentile(list, 0.5), Percentile(list, 0.95), list.Count, cpu, xvncCpu, recorded);
    }

    /// <summary>Waits (up to 30 s) until the process uses under 5 % of a core over half a second.</summary>
    private static async Task QuietAsync(int pid)
    {
        for (var deadline = Stopwatch.StartNew(); deadline.Elapsed < TimeSpan.FromSeconds(30);)
        {
            var before = ProcStat.Cpu(pid);
            await Task.Delay(500);
            if ((ProcStat.Cpu(pid) - before).TotalSeconds / 0.5 < 0.05) return;
        }
    }

    /// <summary>The Sortie process ServerProcess started: the dotnet process working in the data dir.</summary>
    private static int ServerPid(string dataDir)
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (new DirectoryInfo(Path.Combine(dir, "cwd")).LinkTarget?.TrimEnd('/') == dataDir.TrimEnd('/')
                    && File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("Sortie.dll")) return pid;
            }
            catch (Exception) { }
        }
        throw new InvalidOperationException("The server process was not found.");
    }

    internal static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }
}

/// <summary>The `peer` child process (synthetic VNC server + reading client), driven over its stdin/stdout.</summary>
internal sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    public int VncPort { get; private init; }

    private PeerProcess(Process process) => _process = process;

    public static async Task<PeerProcess> StartAsync()
    {
        var self = Environment.ProcessPath!;
        var start = Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? new ProcessStartInfo(self, [typeof(PeerProcess).Assembly.Location, "peer"])
            : new ProcessStartInfo(self, ["peer"]);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        var process = Process.Start(start)!;
        var first = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("The peer did not start.");
        return new PeerProcess(process) { VncPort = int.Parse(first.Split(' ')[1]) };
    }

    /// <summary>
    /// One measured run; <paramref name="cpu"/> reads the relaying process's CPU time at the window's ends, and
    /// <paramref name="recorded"/> (when the session is recorded) the recording's size, just outside them.
    /// </summary>
    public async Task<ThroughputRun> RunAsync(string command, Func<TimeSpan>? cpu, Func<Task<long>>? recorded = null)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        TimeSpan cpuStart = default;
        long recordedStart = 0;
        while (true)
        {
            var line = await _process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("The peer ended.");
            if (line == "START")
            {
                if (recorded is not null) recordedStart = await recorded();
                if (cpu is not null) cpuStart = cpu();
                continue;
            }
            if (line.StartsWith("FAILED")) throw new InvalidOperationException($"Throughput run '{command.Split(' ')[1]}' failed: {line}");
            if (!line.StartsWith("DONE ")) continue;
            var cpuUsed = cpu is null ? TimeSpan.Zero : cpu() - cpuStart;
            var recordedBytes = recorded is null ? 0 : await recorded() - recordedStart;
            var parts = line.Split(' ');
            var megabytes = long.Parse(parts[1]) / 1e6;
            var elapsed = double.Parse(parts[2]);
            await _process.StandardInput.WriteLineAsync("close");
            await _process.StandardInput.FlushAsync();
            await Task.Delay(200);
            return new ThroughputRun(megabytes / elapsed, cpuUsed.TotalMilliseconds / megabytes, cpuUsed.TotalSeconds / elapsed,
                recordedBytes / 1e6 / elapsed);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(5000)) _process.Kill();
        await Task.CompletedTask;
        _process.Dispose();
    }
}

/// <summary>
/// One throughput window: the viewer's MB/s, the relay's CPU per MB relayed and in cores (a fraction of one), and how fast
/// the session's recording grew (MB/s; 0 when not recorded).
/// </summary>
internal readonly record struct ThroughputRun(double MBps, double CpuMsPerMB, double CpuShare, double RecordedMBps);

/// <summary>
/// One fan-out window: delivery latency p50/p95 (ms), frames counted, Sortie's and Xvnc's CPU (fractions of a core), and
/// how fast the recording grew (KB/s; 0 when not recorded).
/// </summary>
internal sealed record FanOutWindow(double P50, double P95, int Frames, double Cpu, double XvncCpu, double RecordedKBps);

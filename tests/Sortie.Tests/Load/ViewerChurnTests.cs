using System.Net.WebSockets;
using Sortie.Rfb;
using Sortie.Viewers;
using Sortie.Rfb.Testing;

namespace Sortie.Tests.Load;

/// <summary>
/// Many viewers joining and leaving a shared session for a minute: the server answers no 5xx, and when they are
/// gone no connection is left in the viewer list and no process is left over. Long: run by `./test.sh --long`.
/// </summary>
[Trait("Category", "Long")]
public sealed class ViewerChurnTests(ViewerChurnTests.Server server) : IClassFixture<ViewerChurnTests.Server>
{
    /// <summary>A server whose join limits let 200 viewers on one address join again and again.</summary>
    public sealed class Server : SortieServer
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [
            new("SORTIE_JOIN_LIMIT_PER_USER", "1000000"),
            new("SORTIE_JOIN_LIMIT_PER_ADDRESS", "1000000"),
            new("Logging:LogLevel:Default", "Warning"),
        ];
    }

    private const int Viewers = 200;
    private const int Users = 20;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Two_hundred_viewers_join_and_leave_for_a_minute_without_errors_or_leaks()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        var link = await owner.CreateLinkAsync(session.Id);
        var users = new List<ApiClient>();
        for (var i = 0; i < Users; i++) users.Add(await server.NewUserAsync());
        var processesBefore = ProcessesOf(server.SessionFolder(session.Id));
        var childrenBefore = ChildProcesses();

        var serverErrors = new System.Collections.Concurrent.ConcurrentBag<string>();
        var dropped = new System.Collections.Concurrent.ConcurrentBag<string>();
        var visits = 0;
        var end = DateTime.UtcNow + Duration;
        await Task.WhenAll(Enumerable.Range(0, Viewers).Select(i => Task.Run(async () =>
        {
            var user = users[i % Users];
            while (DateTime.UtcNow < end)
            {
                using (var join = await user.JoinAsync(link.ShareUrl!))
                {
                    if ((int)join.StatusCode >= 500) serverErrors.Add($"join: {(int)join.StatusCode}");
                    join.EnsureSuccessStatusCode();
                }
                ClientWebSocket socket;
                try { socket = await user.ConnectAsync(session.Id); }
                catch (WebSocketException e)
                {
                    // A refusal is a server error only if the server refuses again when asked plainly.
                    var status = await user.UpgradeStatusAsync(session.Id);
                    if ((int)status >= 500) serverErrors.Add($"upgrade refused: {(int)status}");
                    else dropped.Add($"upgrade failed ({e.Message}; {e.InnerException?.Message}), then {(int)status}");
                    continue;
                }
                // A whole visit: handshake and a first picture, then the viewer leaves.
                await using (var rfb = new RfbClient(WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true)))
                {
                    try
                    {
                        await rfb.HandshakeAsync();
                        await rfb.RequestUpdateAsync(incremental: false);
                        await rfb.WaitForUpdateAsync(TimeSpan.FromSeconds(30));
                    }
                    catch (Exception e) when (e is EndOfStreamException or WebSocketException or RfbProtocolException or TimeoutException)
                    {
                        dropped.Add($"{e.GetType().Name}: close {socket.CloseStatus} '{socket.CloseStatusDescription}'");
                        continue;
                    }
                }
                Interlocked.Increment(ref visits);
            }
        })));

        Assert.Empty(serverErrors);
        Assert.True(dropped.IsEmpty, $"{dropped.Count} of {visits + dropped.Count} visits were cut off: " +
            string.Join("; ", dropped.GroupBy(d => d).Select(g => $"{g.Count()}x {g.Key}")));
        Assert.True(visits >= Viewers, $"only {visits} visits in {Duration.TotalSeconds} s");
        Assert.True(await Eventually.TrueAsync(async () =>
            (await owner.GetAsync<List<ViewerDto>>($"/api/sessions/{session.Id}/viewers")).Count == 0, TimeSpan.FromSeconds(15)),
            "viewers are still listed after all left");
        Assert.Equal(processesBefore, ProcessesOf(server.SessionFolder(session.Id)));
        Assert.True(await Eventually.TrueAsync(() => ChildProcesses() <= childrenBefore, TimeSpan.FromSeconds(10)),
            $"the test process has {ChildProcesses()} children, {childrenBefore} before");
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken)).StatusCode);
    }

    /// <summary>How many processes mention the session's folder (its Xvnc, sandbox and desktop).</summary>
    private static int ProcessesOf(string sessionFolder) => Directory.GetDirectories("/proc")
        .Where(d => int.TryParse(Path.GetFileName(d), out _))
        .Count(d =>
        {
            try { return File.ReadAllText(Path.Combine(d, "cmdline")).Contains(sessionFolder); }
            catch (IOException) { return false; }
            catch (UnauthorizedAccessException) { return false; }
        });

    /// <summary>Processes whose parent is this test process.</summary>
    private static int ChildProcesses()
    {
        var self = Environment.ProcessId.ToString();
        return Directory.GetDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)).Count(d =>
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(d, "stat"));
                return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1] == self;
            }
            catch (IOException) { return false; }
        });
    }
}

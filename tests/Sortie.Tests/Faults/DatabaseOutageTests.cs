using Sortie.Auth;
using Sortie.Data;
using Sortie.Sessions;
using Sortie.Platform;

namespace Sortie.Tests.Faults;

/// <summary>The PostgreSQL server goes away under a running portal (a PostgreSQL of the test's own), then comes back.</summary>
public sealed class DatabaseOutageTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("sortie-outage-").FullName;

    [Fact]
    public async Task While_the_database_is_down_every_request_is_told_so_with_503_and_Retry_After_and_all_works_again_after()
    {
        Assert.SkipUnless(PostgresServer.Selected, "A PostgreSQL outage: run with SORTIE_TEST_DATABASE=postgres (./test.sh does).");
        await using var database = await PostgresServer.Own.StartAsync();
        await using var server = await ServerProcess.StartAsync(_dataDir, new Dictionary<string, string>
        {
            ["SORTIE_DATABASE"] = database.ConnectionString, ["SORTIE_STOP_SESSIONS_ON_EXIT"] = "true",
        });
        using var admin = await server.AdminAsync();
        using var anonymous = new HttpClient { BaseAddress = server.BaseUri };

        await database.StopAsync();

        var traceIds = new List<string>();
        foreach (var response in new[]
        {
            await admin.Http.GetAsync("/api/sessions", TestContext.Current.CancellationToken),
            await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("admin", SortieServer.AdminPassword), SortieJson.Options, TestContext.Current.CancellationToken),
        })
        {
            Assert.Contains("database is unavailable", await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable));
            Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
            var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            traceIds.Add(problem.RootElement.GetProperty("trace_id").GetString()!);
        }
        var ready = await anonymous.GetAsync("/readyz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("\"database\":\"unreachable\"", await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        await database.ResumeAsync();
        Assert.True(await Eventually.TrueAsync(async () => (await admin.Http.GetAsync("/api/sessions")).IsSuccessStatusCode),
            "The portal did not recover once the database was back.");
        using var again = await server.AdminAsync();
        Assert.Empty(await again.GetAsync<List<SessionDto>>("/api/sessions"));
        // An operator finds each failure by the trace id its client was shown, with its route (who asked is not known
        // here: checking the bearer token needs the database too).
        var log = await server.ReadLogAsync();
        Assert.Contains($"TraceId:{traceIds[0]} Route:GET /api/sessions", log);
        Assert.Contains($"TraceId:{traceIds[1]} Route:POST /api/auth/login", log);
        // Each failure is one warning, not a cascade of errors from the database library.
        Assert.DoesNotContain("fail: ", log);
    }

    [Fact]
    public async Task A_desktop_that_dies_while_the_database_is_down_is_recorded_ended_once_it_is_back()
    {
        Assert.SkipUnless(PostgresServer.Selected, "A PostgreSQL outage: run with SORTIE_TEST_DATABASE=postgres (./test.sh does).");
        await using var database = await PostgresServer.Own.StartAsync();
        await using var server = await ServerProcess.StartAsync(_dataDir, new Dictionary<string, string>
        {
            ["SORTIE_DATABASE"] = database.ConnectionString, ["SORTIE_STOP_SESSIONS_ON_EXIT"] = "true",
        });
        using var admin = await server.AdminAsync();
        using var owner = await admin.NewUserAsync(UserRole.User, "outage-owner");
        using var guest = await admin.NewUserAsync(UserRole.User, "outage-guest");
        var session = await owner.LaunchDesktopAsync(320, 240);
        await owner.InviteAsync(session.Id, "outage-guest");
        var sandbox = await Sessions.SandboxProcesses.WaitForAsync(server.SessionFolder(session.Id), "xterm");

        await database.StopAsync();
        using (var xvnc = System.Diagnostics.Process.GetProcessById(sandbox.Single(p => p.Command.StartsWith("Xvnc")).Pid)) xvnc.Kill();
        // The desktop's end cannot be written now; it is tried again, and said in the log.
        Assert.True(await Eventually.TrueAsync(async () => (await server.ReadLogAsync()).Contains("recording it failed")),
            "The failed write of the session's end was not logged.");
        await database.ResumeAsync();

        var ended = await owner.WaitForStatusAsync(session.Id, SessionStatus.Terminated, TimeSpan.FromSeconds(60));
        Assert.Equal("The desktop stopped unexpectedly.", ended.Reason);
        Assert.Empty(await guest.GetAsync<List<SessionDto>>("/api/sessions/shared"));
        Assert.Empty(await owner.GetAsync<List<SessionDto>>("/api/sessions")); // no longer counted against the owner's limit
    }

    public void Dispose()
    {
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}

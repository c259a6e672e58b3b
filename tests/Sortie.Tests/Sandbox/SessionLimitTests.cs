using Sortie.Apps;
using Sortie.Data;
using Sortie.Runners.Local;
using Sortie.Tests.Sessions;

namespace Sortie.Tests.Sandbox;

/// <summary>
/// A session cannot take the machine down: over its memory limit it is ended with the reason, a fork bomb meets its
/// process limit, and meanwhile the portal and another user's session carry on.
/// </summary>
public sealed class SessionLimitTests(SessionLimitTests.SmallSessionsServer server) : IClassFixture<SessionLimitTests.SmallSessionsServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public sealed class SmallSessionsServer : SortieServer
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings =>
            [new("SORTIE_SESSION_PROCESS_LIMIT", "200")];
    }

    private bool HasCgroups => new SessionCgroups(Microsoft.Extensions.Logging.Abstractions.NullLogger<SessionCgroups>.Instance).Available;

    [Fact]
    public async Task A_session_over_its_memory_limit_is_ended_while_another_keeps_streaming()
    {
        Assert.True(HasCgroups, "this machine gives the tests no cgroups (run them as root)");
        var (bystander, bystanderSession) = await server.NewRunningSessionAsync();
        // The app's own limit, below the server's default (2 GiB), which the bystander's desktop keeps.
        using (var admin = await server.AdminAsync())
            if ((await admin.GetAsync<List<AppDto>>("/api/apps")).All(a => a.Name != "small-desktop"))
                Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/api/apps", new AppRequest("small-desktop", LaunchType.Container,
                    StreamProtocol.Vnc, Command: "exec openbox --startup xterm", MemoryLimit: 256))).StatusCode);
        using var hog = await server.NewUserAsync();
        var session = await hog.LaunchAsync("small-desktop", 320, 240);
        var folder = server.SessionFolder(session.Id);
        await using (var terminal = await SessionTerminal.OpenAsync(hog, session, folder))
            await terminal.TypeAsync("tail /dev/zero"); // holds all it reads, looking for a line end that never comes

        var ended = await hog.WaitForStatusAsync(session.Id, SessionStatus.Terminated, Timeout);
        Assert.Equal("The session ran out of memory (its limit is 256 MiB) and was ended.", ended.Reason);
        Assert.True(await Eventually.TrueAsync(() => !Directory.Exists(folder)), "the session's folder was left behind");

        await AssertStreamsAsync(bystander, bystanderSession.Id);
        Assert.Equal(HttpStatusCode.OK, (await server.Anonymous().Http.GetAsync("/healthz", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task A_fork_bomb_meets_the_process_limit_and_ends_with_its_session()
    {
        Assert.True(HasCgroups, "this machine gives the tests no cgroups (run them as root)");
        var (bystander, bystanderSession) = await server.NewRunningSessionAsync();
        using var bomber = await server.NewUserAsync();
        var session = await bomber.LaunchDesktopAsync(320, 240);
        var folder = server.SessionFolder(session.Id);
        await using (var terminal = await SessionTerminal.OpenAsync(bomber, session, folder))
            await terminal.TypeAsync("b(){ b|b& }; b");
        var uid = SandboxProcesses.Of(folder).First(p => p.Command.StartsWith("Xvnc")).Uid;
        await Task.Delay(2000, TestContext.Current.CancellationToken);

        // The machine is still there for everyone else, and ending the session ends the bomb.
        await AssertStreamsAsync(bystander, bystanderSession.Id);
        Assert.True(CountRunningAs(uid) <= 200, $"{CountRunningAs(uid)} processes run as the session's uid");
        Assert.Equal(HttpStatusCode.NoContent, (await bomber.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.True(await Eventually.TrueAsync(() => CountRunningAs(uid) == 0), "the bomb outlived its session");
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task Limits_are_checked_and_shown()
    {
        using var admin = await server.AdminAsync();
        var created = await ApiClient.ReadAsync<AppDto>(await admin.PostAsync("/api/apps",
            new AppRequest("limited", LaunchType.Container, StreamProtocol.Vnc, Command: "exec xterm", CpuLimit: 0.5, MemoryLimit: 512)));
        Assert.Equal((0.5, 512), (created.CpuLimit, created.MemoryLimit));

        var tooSmall = await ProblemAssert.IsProblemAsync(await admin.PostAsync("/api/apps",
            new AppRequest("tiny", LaunchType.Container, StreamProtocol.Vnc, Command: "exec xterm", MemoryLimit: 10)), HttpStatusCode.BadRequest);
        Assert.Contains("memory_limit", tooSmall);
        var noCpu = await ProblemAssert.IsProblemAsync(await admin.PostAsync("/api/apps",
            new AppRequest("idle", LaunchType.Container, StreamProtocol.Vnc, Command: "exec xterm", CpuLimit: 0)), HttpStatusCode.BadRequest);
        Assert.Contains("cpu_limit", noCpu);
        var url = await ProblemAssert.IsProblemAsync(await admin.PostAsync("/api/apps",
            new AppRequest("link", LaunchType.Url, Url: "https://example.org/", MemoryLimit: 512)), HttpStatusCode.BadRequest);
        Assert.Contains("no session", url);
    }

    /// <summary>What the owner types shows up on their screen.</summary>
    private static async Task AssertStreamsAsync(ApiClient owner, Guid sessionId)
    {
        await using var view = await owner.ViewAsync(sessionId);
        await view.WaitForPictureAsync(f => f.CountDistinctColours() > 1, Timeout);
        var before = view.Framebuffer.Checksum();
        await SessionTerminal.TypeAsync(view, "echo still here");
        await view.WaitForPictureAsync(f => f.Checksum() != before, Timeout);
    }

    private static int CountRunningAs(int uid) => SandboxProcesses.RunningAs(uid).Count;
}

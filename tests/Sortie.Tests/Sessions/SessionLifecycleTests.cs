using Sortie.Data;
using Sortie.Sessions;

namespace Sortie.Tests.Sessions;

/// <summary>A session's life on a real sandbox: it starts, runs as its own user, and leaves nothing when it ends or dies.</summary>
public sealed class SessionLifecycleTests(SortieServer server) : IClassFixture<SortieServer>
{
    [Fact]
    public async Task Launching_the_desktop_runs_it_for_its_owner()
    {
        using var user = await server.NewUserAsync();
        var app = await user.AppAsync("desktop");
        var response = await user.PostAsync("/api/sessions", new CreateSessionRequest(app.Id));
        var created = await ApiClient.ReadAsync<SessionDto>(response);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(SessionStatus.Creating, created.Status);
        Assert.Equal(user.User.Id, created.OwnerId);
        Assert.Equal(user.User.Username, created.OwnerUsername);
        Assert.Equal("desktop", created.AppName);
        Assert.Equal($"/ws/sessions/{created.Id}", created.WebsocketUrl);

        var running = await user.WaitForStatusAsync(created.Id, SessionStatus.Running);
        Assert.NotNull(running.StartedAt);
        Assert.Contains(await user.GetAsync<List<SessionDto>>("/api/sessions"), s => s.Id == created.Id);
    }

    [Fact]
    public async Task Ending_a_session_leaves_no_process_and_no_files()
    {
        using var user = await server.NewUserAsync();
        var session = await user.LaunchDesktopAsync();
        var folder = server.SessionFolder(session.Id);
        var sandbox = await SandboxProcesses.WaitForAsync(folder, "xterm");
        Assert.Contains(sandbox, p => p.Command.StartsWith("Xvnc"));
        Assert.Contains(sandbox, p => p.Command.StartsWith("xterm"));

        Assert.Equal(HttpStatusCode.NoContent, (await user.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken)).StatusCode);

        Assert.All(sandbox, p => Assert.False(SandboxProcesses.IsAlive(p), $"{p.Command} ({p.Pid}) is still running"));
        Assert.False(Directory.Exists(folder));
        var ended = await ApiClient.ReadAsync<SessionDto>(await user.Http.GetAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken));
        Assert.Equal(SessionStatus.Terminated, ended.Status);
        Assert.DoesNotContain(await user.GetAsync<List<SessionDto>>("/api/sessions"), s => s.Id == session.Id);
    }

    [Fact]
    public async Task The_sandbox_runs_as_its_own_unprivileged_user_with_no_network()
    {
        using var user = await server.NewUserAsync();
        var session = await user.LaunchDesktopAsync();
        var folder = server.SessionFolder(session.Id);
        var xvnc = SandboxProcesses.Of(folder).Single(p => p.Command.StartsWith("Xvnc"));

        if (Environment.UserName == "root") Assert.True(xvnc.Uid >= 2_000_000_000, $"Xvnc runs as uid {xvnc.Uid}");
        Assert.NotEqual(SandboxProcesses.NetworkNamespace(Environment.ProcessId), SandboxProcesses.NetworkNamespace(xvnc.Pid));
        var socket = new FileInfo(Path.Combine(folder, "run", "vnc.sock"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, socket.UnixFileMode);
        await user.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_session_whose_desktop_dies_ends_with_a_reason()
    {
        using var user = await server.NewUserAsync();
        var session = await user.LaunchDesktopAsync();
        var folder = server.SessionFolder(session.Id);
        var xvnc = SandboxProcesses.Of(folder).Single(p => p.Command.StartsWith("Xvnc"));

        System.Diagnostics.Process.GetProcessById(xvnc.Pid).Kill();

        var ended = await user.WaitForStatusAsync(session.Id, SessionStatus.Terminated);
        Assert.False(string.IsNullOrEmpty(ended.Reason));
        Assert.True(await Eventually.TrueAsync(() => !Directory.Exists(folder)), "The folder is still there.");
    }
}

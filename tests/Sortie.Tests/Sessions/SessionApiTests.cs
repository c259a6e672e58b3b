using Sortie.Data;
using Sortie.Sessions;

namespace Sortie.Tests.Sessions;

/// <summary>What the sessions API accepts, and who may see or end a session: rules of the API, none of the desktop (no sandbox starts).</summary>
public sealed class SessionApiTests(NoDesktopServer server) : IClassFixture<NoDesktopServer>
{
    [Fact]
    public async Task A_url_app_needs_no_session()
    {
        using var user = await server.NewUserAsync();
        var docs = await user.AppAsync("docs");
        var detail = await ProblemAssert.IsProblemAsync(
            await user.PostAsync("/api/sessions", new CreateSessionRequest(docs.Id)), HttpStatusCode.BadRequest);
        Assert.Contains("browser", detail);
    }

    [Fact]
    public async Task An_unknown_app_is_404_and_a_silly_size_is_400()
    {
        using var user = await server.NewUserAsync();
        await ProblemAssert.IsProblemAsync(
            await user.PostAsync("/api/sessions", new CreateSessionRequest(Guid.NewGuid())), HttpStatusCode.NotFound);
        var desktop = await user.AppAsync("desktop");
        await ProblemAssert.IsProblemAsync(
            await user.PostAsync("/api/sessions", new CreateSessionRequest(desktop.Id, 100_000, 10)), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_stranger_learns_nothing_about_a_session()
    {
        using var owner = await server.NewUserAsync();
        using var stranger = await server.NewUserAsync();
        var session = await owner.LaunchDesktopAsync();

        var get = await stranger.Http.GetAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
        var missing = await stranger.Http.GetAsync($"/api/sessions/{Guid.NewGuid()}", TestContext.Current.CancellationToken);
        Assert.Equal(await ProblemAssert.IsProblemAsync(missing, HttpStatusCode.NotFound),
            await ProblemAssert.IsProblemAsync(get, HttpStatusCode.NotFound));
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.DoesNotContain(await stranger.GetAsync<List<SessionDto>>("/api/sessions"), s => s.Id == session.Id);
        Assert.Equal(SessionStatus.Running, (await owner.GetAsync<SessionDto>($"/api/sessions/{session.Id}")).Status);
        await owner.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Admins_see_and_end_anyones_session()
    {
        using var owner = await server.NewUserAsync();
        using var admin = await server.NewUserAsync(UserRole.Admin);
        var session = await owner.LaunchDesktopAsync();

        Assert.Contains(await admin.GetAsync<List<SessionDto>>("/api/sessions?all=true"), s => s.Id == session.Id);
        Assert.DoesNotContain(await admin.GetAsync<List<SessionDto>>("/api/sessions"), s => s.Id == session.Id);
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.Http.GetAsync("/api/sessions?all=true", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(session.Id, (await admin.GetAsync<SessionDto>($"/api/sessions/{session.Id}")).Id);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(SessionStatus.Terminated, (await owner.GetAsync<SessionDto>($"/api/sessions/{session.Id}")).Status);
    }
}

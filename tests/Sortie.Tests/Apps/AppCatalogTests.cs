using Sortie.Apps;
using Sortie.Data;

namespace Sortie.Tests.Apps;

public sealed class AppCatalogTests(NoDesktopServer server) : IClassFixture<NoDesktopServer>
{
    [Fact]
    public async Task The_demo_apps_are_seeded_and_users_do_not_see_commands()
    {
        using var user = await server.NewUserAsync();
        var apps = await user.GetAsync<List<AppDto>>("/api/apps");
        var desktop = Assert.Single(apps, a => a.Name == "desktop");
        Assert.Equal(LaunchType.Container, desktop.LaunchType);
        Assert.Equal(StreamProtocol.Vnc, desktop.Protocol);
        Assert.Null(desktop.Command);
        var docs = Assert.Single(apps, a => a.Name == "docs");
        Assert.Equal(LaunchType.Url, docs.LaunchType);

        using var admin = await server.AdminAsync();
        Assert.NotNull((await admin.AppAsync("desktop")).Command);
    }

    [Fact]
    public async Task Admins_add_change_and_remove_apps()
    {
        using var admin = await server.AdminAsync();
        var created = await ApiClient.ReadAsync<AppDto>(await admin.PostAsync("/api/apps",
            new AppRequest("terminal", LaunchType.Container, StreamProtocol.Vnc, "Just a terminal", "⌨️", "exec xterm")));
        Assert.Equal("exec xterm", created.Command);

        var changed = await ApiClient.ReadAsync<AppDto>(await admin.Http.PutAsJsonAsync($"/api/apps/{created.Id}",
            new AppRequest("terminal", LaunchType.Container, StreamProtocol.Vnc, "A bigger terminal", "⌨️", "exec xterm -geometry 120x40"),
            Sortie.Platform.SortieJson.Options, TestContext.Current.CancellationToken));
        Assert.Equal("A bigger terminal", changed.Description);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/apps/{created.Id}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.DoesNotContain(await admin.GetAsync<List<AppDto>>("/api/apps"), a => a.Id == created.Id);
    }

    [Fact]
    public async Task Each_launch_type_needs_its_own_fields()
    {
        using var admin = await server.AdminAsync();
        await ProblemAssert.IsProblemAsync(await admin.PostAsync("/api/apps",
            new AppRequest("no-command", LaunchType.Container, StreamProtocol.Vnc)), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await admin.PostAsync("/api/apps",
            new AppRequest("no-protocol", LaunchType.Container, Command: "xterm")), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await admin.PostAsync("/api/apps",
            new AppRequest("bad-url", LaunchType.Url, Url: "javascript:alert(1)")), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await admin.PostAsync("/api/apps",
            new AppRequest("desktop", LaunchType.Url, Url: "https://example.org/")), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task An_app_with_a_live_session_cannot_be_removed()
    {
        using var admin = await server.AdminAsync();
        var app = await ApiClient.ReadAsync<AppDto>(await admin.PostAsync("/api/apps",
            new AppRequest("busy", LaunchType.Container, StreamProtocol.Vnc, Command: "exec xterm")));
        var session = await ApiClient.ReadAsync<Sortie.Sessions.SessionDto>(
            await admin.PostAsync("/api/sessions", new Sortie.Sessions.CreateSessionRequest(app.Id, 320, 240)));

        await ProblemAssert.IsProblemAsync(await admin.Http.DeleteAsync($"/api/apps/{app.Id}", TestContext.Current.CancellationToken), HttpStatusCode.Conflict);
        await admin.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/apps/{app.Id}", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Only_admins_change_the_catalog()
    {
        using var user = await server.NewUserAsync();
        var desktop = await user.AppAsync("desktop");
        var request = new AppRequest("sneaky", LaunchType.Url, Url: "https://example.org/");
        Assert.Equal(HttpStatusCode.Forbidden, (await user.PostAsync("/api/apps", request)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await user.Http.PutAsJsonAsync($"/api/apps/{desktop.Id}", request, Sortie.Platform.SortieJson.Options, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.Http.DeleteAsync($"/api/apps/{desktop.Id}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous().Http.GetAsync("/api/apps", TestContext.Current.CancellationToken)).StatusCode);
    }
}

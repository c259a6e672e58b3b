using Sortie.Auth;
using Sortie.Data;
using Sortie.Users;

namespace Sortie.Tests.Auth;

public sealed class UserAdminTests(NoDesktopServer server) : IClassFixture<NoDesktopServer>
{
    [Fact]
    public async Task Admin_creates_a_user_who_can_log_in()
    {
        using var admin = await server.AdminAsync();
        var response = await admin.PostAsync("/api/admin/users", new CreateUserRequest("Carol", "carol-password", UserRole.User));
        var created = await ApiClient.ReadAsync<UserDto>(response);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("carol", created.Username); // names are lower-case: "Carol" and "carol" are one

        using var carol = await server.LoginAsync("CAROL", "carol-password");
        Assert.Equal(created.Id, carol.User.Id);
        Assert.Contains(await admin.GetAsync<List<UserDto>>("/api/admin/users"), u => u.Id == created.Id);
    }

    [Fact]
    public async Task A_taken_name_is_409()
    {
        using var admin = await server.AdminAsync();
        await admin.PostAsync("/api/admin/users", new CreateUserRequest("dave", "dave-password"));
        await ProblemAssert.IsProblemAsync(
            await admin.PostAsync("/api/admin/users", new CreateUserRequest("Dave", "other-password")), HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("x", "long-enough-password")]
    [InlineData("has space", "long-enough-password")]
    [InlineData("../etc", "long-enough-password")]
    [InlineData("erin", "short")]
    public async Task An_invalid_name_or_short_password_is_400(string username, string password)
    {
        using var admin = await server.AdminAsync();
        var detail = await ProblemAssert.IsProblemAsync(
            await admin.PostAsync("/api/admin/users", new CreateUserRequest(username, password)), HttpStatusCode.BadRequest);
        Assert.NotEmpty(detail);
    }

    [Fact]
    public async Task An_unknown_role_is_400_not_a_silent_default()
    {
        using var admin = await server.AdminAsync();
        var response = await admin.PostAsync("/api/admin/users", new { username = "frank", password = "frank-password", role = "root" });
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Only_admins_manage_users()
    {
        using var user = await server.NewUserAsync();
        using var anon = server.Anonymous();
        Assert.Equal(HttpStatusCode.Forbidden, (await user.Http.GetAsync("/api/admin/users", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await user.PostAsync("/api/admin/users", new CreateUserRequest("mallory", "mallory-password"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.Http.DeleteAsync($"/api/admin/users/{user.User.Id}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anon.Http.GetAsync("/api/admin/users", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task A_deleted_user_loses_access_at_once_and_their_sessions_end()
    {
        using var admin = await server.AdminAsync();
        using var user = await server.NewUserAsync();
        var session = await user.LaunchDesktopAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/admin/users/{user.User.Id}", TestContext.Current.CancellationToken)).StatusCode);

        // The access token has not expired, but the account is gone.
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Http.GetAsync("/api/auth/me", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.DoesNotContain(await admin.GetAsync<List<Sortie.Sessions.SessionDto>>("/api/sessions?all=true"), s => s.Id == session.Id);
    }

    [Fact]
    public async Task An_admin_cannot_delete_themselves()
    {
        using var admin = await server.AdminAsync();
        await ProblemAssert.IsProblemAsync(await admin.Http.DeleteAsync($"/api/admin/users/{admin.User.Id}", TestContext.Current.CancellationToken), HttpStatusCode.BadRequest);
    }
}

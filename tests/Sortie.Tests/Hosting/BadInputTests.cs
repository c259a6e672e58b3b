using System.Text;

namespace Sortie.Tests.Hosting;

public sealed class BadInputTests(NoDesktopServer server) : IClassFixture<NoDesktopServer>
{
    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_bearer_client_may_send_json_as_curl_does_without_a_json_content_type()
    {
        using var user = await server.NewUserAsync();
        var desktop = await user.AppAsync("desktop");
        var body = $"{{\"app_id\":\"{desktop.Id}\",\"width\":320,\"height\":240}}";
        // curl -d sends application/x-www-form-urlencoded; other clients send nothing at all.
        var asForm = await user.Http.PostAsync("/api/sessions", new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, asForm.StatusCode);
        var bare = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"username\":\"nobody\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, (await user.Http.PostAsync("/api/auth/login", bare, TestContext.Current.CancellationToken)).StatusCode); // read as JSON: a field is missing
        var created = await ApiClient.ReadAsync<Sortie.Sessions.SessionDto>(asForm);
        await user.Http.DeleteAsync($"/api/sessions/{created.Id}", TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_cookie_client_must_say_json_and_the_415_and_405_say_why()
    {
        using var user = await server.NewUserAsync();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = server.BaseUri };
        (await browser.PostAsJsonAsync("/api/auth/login", new Sortie.Auth.LoginRequest(user.User.Username, $"{user.User.Username}-password"),
            Sortie.Platform.SortieJson.Options, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        var desktop = await user.AppAsync("desktop");

        var unsupported = await ProblemAssert.IsProblemAsync(await browser.PostAsync("/api/sessions",
            new StringContent($"{{\"app_id\":\"{desktop.Id}\"}}", Encoding.UTF8, "application/x-www-form-urlencoded"), TestContext.Current.CancellationToken), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/json", unsupported);
        var notAllowed = await ProblemAssert.IsProblemAsync(await user.Http.PutAsync("/api/sessions", Json("{}"), TestContext.Current.CancellationToken), HttpStatusCode.MethodNotAllowed);
        Assert.Contains("PUT", notAllowed);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem_that_says_so()
    {
        using var user = await server.NewUserAsync();
        var detail = await ProblemAssert.IsProblemAsync(
            await user.Http.PostAsync("/api/sessions", Json("{\"app_id\": "), TestContext.Current.CancellationToken), HttpStatusCode.BadRequest);
        Assert.Contains("JSON", detail);
    }

    [Fact]
    public async Task Unknown_fields_are_refused_not_ignored()
    {
        using var user = await server.NewUserAsync();
        var desktop = await user.AppAsync("desktop");
        var detail = await ProblemAssert.IsProblemAsync(
            await user.Http.PostAsync("/api/sessions", Json($"{{\"app_id\":\"{desktop.Id}\",\"privileged\":true}}"), TestContext.Current.CancellationToken), HttpStatusCode.BadRequest);
        Assert.Contains("privileged", detail);
    }

    [Fact]
    public async Task A_missing_required_field_is_400()
    {
        using var anon = server.Anonymous();
        var detail = await ProblemAssert.IsProblemAsync(
            await anon.Http.PostAsync("/api/auth/login", Json("{\"username\":\"admin\"}"), TestContext.Current.CancellationToken), HttpStatusCode.BadRequest);
        Assert.Contains("password", detail);
    }

    [Theory]
    [InlineData("\"Admin\"")]
    [InlineData("\"ADMIN\"")]
    [InlineData("\" admin\"")]
    [InlineData("1")]
    public async Task An_enum_value_other_than_its_exact_snake_case_name_is_400(string role)
    {
        using var admin = await server.AdminAsync();
        var detail = await ProblemAssert.IsProblemAsync(await admin.Http.PostAsync("/api/admin/users",
            Json($"{{\"username\":\"strict-user\",\"password\":\"long-enough-password\",\"role\":{role}}}"), TestContext.Current.CancellationToken),
            HttpStatusCode.BadRequest);
        Assert.Contains("\"admin\"", detail); // names the values it takes
        Assert.Contains("role", detail);
    }

    [Fact]
    public async Task An_exact_snake_case_enum_value_is_accepted()
    {
        using var admin = await server.AdminAsync();
        var response = await admin.Http.PostAsync("/api/admin/users",
            Json("{\"username\":\"strict-admin\",\"password\":\"long-enough-password\",\"role\":\"admin\"}"), TestContext.Current.CancellationToken);
        // The role is written as the API promises it: "admin", not "Admin" or 1.
        Assert.Contains("\"role\":\"admin\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_malformed_session_id_is_404_like_any_unknown_one()
    {
        using var user = await server.NewUserAsync();
        await ProblemAssert.IsProblemAsync(await user.Http.GetAsync("/api/sessions/not-a-guid", TestContext.Current.CancellationToken), HttpStatusCode.NotFound);
    }
}

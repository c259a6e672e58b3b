using System.Text;

namespace Sortie.Tests.Hosting;

public sealed class BadInputTests(SortieServer server) : IClassFixture<SortieServer>
{
    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Malformed_json_is_a_400_problem_that_says_so()
    {
        using var user = await server.NewUserAsync();
        var detail = await ProblemAssert.IsProblemAsync(
            await user.Http.PostAsync("/api/sessions", Json("{\"app_id\": ")), HttpStatusCode.BadRequest);
        Assert.Contains("JSON", detail);
    }

    [Fact]
    public async Task Unknown_fields_are_refused_not_ignored()
    {
        using var user = await server.NewUserAsync();
        var desktop = await user.AppAsync("desktop");
        var detail = await ProblemAssert.IsProblemAsync(
            await user.Http.PostAsync("/api/sessions", Json($"{{\"app_id\":\"{desktop.Id}\",\"privileged\":true}}")), HttpStatusCode.BadRequest);
        Assert.Contains("privileged", detail);
    }

    [Fact]
    public async Task A_missing_required_field_is_400()
    {
        using var anon = server.Anonymous();
        var detail = await ProblemAssert.IsProblemAsync(
            await anon.Http.PostAsync("/api/auth/login", Json("{\"username\":\"admin\"}")), HttpStatusCode.BadRequest);
        Assert.Contains("password", detail);
    }

    [Fact]
    public async Task A_malformed_session_id_is_404_like_any_unknown_one()
    {
        using var user = await server.NewUserAsync();
        await ProblemAssert.IsProblemAsync(await user.Http.GetAsync("/api/sessions/not-a-guid"), HttpStatusCode.NotFound);
    }
}

using Sortie.Data;
using Sortie.Sessions;

namespace Sortie.Tests.Hosting;

/// <summary>Who may do what: every endpoint, asked by every kind of caller. Nothing here changes state.</summary>
public sealed class AuthorizationMatrixTests(MatrixFixture app) : IClassFixture<MatrixFixture>
{
    public static TheoryData<string, string, int, int, int, int> Endpoints => new()
    {
        // method, path ({s} = the owner's running session),  anonymous, owner, other, admin
        { "GET", "/api/auth/me",                               401, 200, 200, 200 },
        { "GET", "/api/apps",                                  401, 200, 200, 200 },
        { "GET", "/api/admin/users",                           401, 403, 403, 200 },
        { "GET", "/api/sessions",                              401, 200, 200, 200 },
        { "GET", "/api/sessions?all=true",                     401, 403, 403, 200 },
        { "GET", "/api/sessions/{s}",                          401, 200, 404, 200 },
        { "WS",  "/ws/sessions/{s}",                           401, 101, 404, 101 },
        { "GET", "/healthz",                                   200, 200, 200, 200 },
        { "GET", "/metrics",                                   200, 200, 200, 200 },
        { "GET", "/openapi/v1.json",                           200, 200, 200, 200 },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Each_caller_gets_the_answer_the_policy_gives(string method, string path,
        int anonymous, int owner, int other, int admin)
    {
        var expected = new Dictionary<string, int> { ["anonymous"] = anonymous, ["owner"] = owner, ["other"] = other, ["admin"] = admin };
        foreach (var (caller, status) in expected)
        {
            var client = app.As(caller);
            var actual = method == "WS"
                ? (int)await client.UpgradeStatusAsync(app.Session.Id)
                : (int)(await client.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path.Replace("{s}", app.Session.Id.ToString())), TestContext.Current.CancellationToken)).StatusCode;
            Assert.True(status == actual, $"{method} {path} as {caller}: expected {status}, got {actual}");
        }
    }

    [Fact]
    public async Task Only_the_owner_or_an_admin_ends_a_session()
    {
        using var owner = await app.NewUserAsync();
        var session = await owner.LaunchDesktopAsync(320, 240);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.AnonymousClient.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Other.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(SessionStatus.Running, (await owner.GetAsync<SessionDto>($"/api/sessions/{session.Id}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken)).StatusCode);
    }
}

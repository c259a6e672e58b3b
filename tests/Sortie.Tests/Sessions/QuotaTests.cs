using Sortie.Data;
using Sortie.Sessions;

namespace Sortie.Tests.Sessions;

public sealed class QuotaTests(QuotaServer server) : IClassFixture<QuotaServer>
{
    [Fact]
    public async Task Concurrent_launches_never_exceed_the_quota()
    {
        using var user = await server.NewUserAsync();
        var desktop = await user.AppAsync("desktop");
        var responses = await Task.WhenAll(Enumerable.Range(0, 5)
            .Select(_ => user.PostAsync("/api/sessions", new CreateSessionRequest(desktop.Id, 320, 240))));

        Assert.Equal(2, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        await ProblemAssert.IsProblemAsync(responses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests), HttpStatusCode.TooManyRequests);
        foreach (var s in await user.GetAsync<List<SessionDto>>("/api/sessions")) await user.Http.DeleteAsync($"/api/sessions/{s.Id}", TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Admins_are_exempt_from_the_quota()
    {
        using var admin = await server.NewUserAsync(UserRole.Admin);
        var desktop = await admin.AppAsync("desktop");
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Created,
                (await admin.PostAsync("/api/sessions", new CreateSessionRequest(desktop.Id, 320, 240))).StatusCode);
        foreach (var s in await admin.GetAsync<List<SessionDto>>("/api/sessions")) await admin.Http.DeleteAsync($"/api/sessions/{s.Id}", TestContext.Current.CancellationToken);
    }
}

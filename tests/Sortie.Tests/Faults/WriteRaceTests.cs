using Sortie.Apps;
using Sortie.Data;
using Sortie.Sharing;

namespace Sortie.Tests.Faults;

/// <summary>
/// Two writes to one thing at the same moment (a double click, two admins): the loser is told in words (404 or 409),
/// never a 500, and nothing is half done. Several rounds each, so the requests really do overlap in some.
/// </summary>
public sealed class WriteRaceTests(SortieServer server) : IClassFixture<SortieServer>
{
    private const int Rounds = 10;

    /// <summary>Sends every request at the same moment; their answers, each checked to be no server error.</summary>
    private static async Task<HttpStatusCode[]> RaceAsync(params Func<Task<HttpResponseMessage>>[] requests)
    {
        using var start = new SemaphoreSlim(0);
        var running = requests.Select(async send => { await start.WaitAsync(); return await send(); }).ToList();
        start.Release(requests.Length);
        var responses = await Task.WhenAll(running);
        foreach (var response in responses)
            Assert.True((int)response.StatusCode < 500,
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        foreach (var response in responses.Where(r => (int)r.StatusCode >= 400))
            await ProblemAssert.IsProblemAsync(response, response.StatusCode);
        return responses.Select(r => r.StatusCode).ToArray();
    }

    [Fact]
    public async Task Changing_and_revoking_one_share_at_once_leaves_it_revoked_and_answers_no_500()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var bob = await server.NewUserAsync();
        for (var round = 0; round < Rounds; round++)
        {
            var share = await owner.InviteAsync(session.Id, bob.User.Username);
            var statuses = await RaceAsync(
                () => owner.ChangeShareAsync(session.Id, share.Id, SharePermission.ReadWrite),
                () => owner.Http.DeleteAsync($"/api/sessions/{session.Id}/shares/{share.Id}"));

            Assert.Contains(statuses[0], new[] { HttpStatusCode.OK, HttpStatusCode.NotFound });
            Assert.Equal(HttpStatusCode.NoContent, statuses[1]);
            Assert.DoesNotContain(await owner.GetAsync<List<ShareDto>>($"/api/sessions/{session.Id}/shares"), s => s.Id == share.Id);
        }
    }

    [Fact]
    public async Task Revoking_one_share_twice_at_once_revokes_it_once()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var bob = await server.NewUserAsync();
        for (var round = 0; round < Rounds; round++)
        {
            var share = await owner.InviteAsync(session.Id, bob.User.Username);
            var statuses = await RaceAsync(
                () => owner.Http.DeleteAsync($"/api/sessions/{session.Id}/shares/{share.Id}"),
                () => owner.Http.DeleteAsync($"/api/sessions/{session.Id}/shares/{share.Id}"));

            Assert.Equal([HttpStatusCode.NoContent, HttpStatusCode.NotFound], statuses.Order());
        }
    }

    [Fact]
    public async Task Ending_one_session_twice_at_once_ends_it()
    {
        using var owner = await server.NewUserAsync();
        for (var round = 0; round < 3; round++)
        {
            var session = await owner.LaunchDesktopAsync(320, 240);
            await RaceAsync(
                () => owner.Http.DeleteAsync($"/api/sessions/{session.Id}"),
                () => owner.Http.DeleteAsync($"/api/sessions/{session.Id}"));

            Assert.Equal(SessionStatus.Terminated,
                (await owner.GetAsync<Sortie.Sessions.SessionDto>($"/api/sessions/{session.Id}")).Status);
        }
    }

    [Fact]
    public async Task Changing_and_deleting_one_app_at_once_answers_no_500()
    {
        using var admin = await server.AdminAsync();
        for (var round = 0; round < Rounds; round++)
        {
            var created = await ApiClient.ReadAsync<AppDto>(await admin.PostAsync("/api/apps",
                new AppRequest($"raced{round}", LaunchType.Url, Url: "https://example.com/")));
            var statuses = await RaceAsync(
                () => admin.Http.PutAsJsonAsync($"/api/apps/{created.Id}",
                    new AppRequest($"raced{round}", LaunchType.Url, Description: "changed", Url: "https://example.com/"), Sortie.Platform.SortieJson.Options),
                () => admin.Http.DeleteAsync($"/api/apps/{created.Id}"));

            Assert.Equal(HttpStatusCode.NoContent, statuses[1]);
            Assert.DoesNotContain(await admin.GetAsync<List<AppDto>>("/api/apps"), a => a.Id == created.Id);
        }
    }

    [Fact]
    public async Task Deleting_a_user_while_a_session_is_shared_with_them_answers_no_500_and_leaves_no_share()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var admin = await server.AdminAsync();
        for (var round = 0; round < Rounds; round++)
        {
            using var carol = await server.NewUserAsync();
            var statuses = await RaceAsync(
                () => owner.PostAsync($"/api/sessions/{session.Id}/shares", new CreateShareRequest(carol.User.Username)),
                () => admin.Http.DeleteAsync($"/api/admin/users/{carol.User.Id}"));

            Assert.Equal(HttpStatusCode.NoContent, statuses[1]);
            Assert.DoesNotContain(await owner.GetAsync<List<ShareDto>>($"/api/sessions/{session.Id}/shares"), s => s.UserId == carol.User.Id);
        }
    }
}

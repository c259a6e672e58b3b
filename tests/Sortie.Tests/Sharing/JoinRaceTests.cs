using Sortie.Sharing;

namespace Sortie.Tests.Sharing;

/// <summary>Joins that race each other (a class of its own: its server's join limits count only these joins).</summary>
public sealed class JoinRaceTests(NoDesktopServer server) : IClassFixture<NoDesktopServer>
{
    [Fact]
    public async Task Users_racing_for_the_last_use_of_a_link_cannot_both_win()
    {
        using var owner = await server.NewUserAsync();
        var session = await owner.LaunchDesktopAsync(320, 240);
        var racers = new List<ApiClient>();
        for (var i = 0; i < 8; i++) racers.Add(await server.NewUserAsync());

        // A few rounds, so that the requests really do overlap in at least some of them.
        for (var round = 0; round < 5; round++)
        {
            var link = await owner.CreateLinkAsync(session.Id, maxUses: 1);
            using var start = new SemaphoreSlim(0);
            var joins = racers.Select(async r => { await start.WaitAsync(); return await r.JoinAsync(link.ShareUrl!); }).ToList();
            start.Release(racers.Count);
            var statuses = (await Task.WhenAll(joins)).Select(r => r.StatusCode).ToList();

            Assert.Single(statuses, HttpStatusCode.OK);
            Assert.Equal(racers.Count - 1, statuses.Count(s => s == HttpStatusCode.NotFound));
            var shares = await owner.GetAsync<List<ShareDto>>($"/api/sessions/{session.Id}/shares");
            Assert.Equal(1, shares.Single(s => s.Id == link.Id).Uses);
            Assert.Single(shares, s => s.ViaLinkId == link.Id);

            // The winner leaves, so every racer may race again for the next link.
            var winner = racers[statuses.IndexOf(HttpStatusCode.OK)];
            Assert.Equal(HttpStatusCode.NoContent, (await winner.Http.DeleteAsync($"/api/sessions/shared/{session.Id}", TestContext.Current.CancellationToken)).StatusCode);
        }
        racers.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task One_user_joining_twice_at_once_holds_one_share_and_takes_one_use()
    {
        using var owner = await server.NewUserAsync();
        var session = await owner.LaunchDesktopAsync(320, 240);
        using var bob = await server.NewUserAsync();
        var link = await owner.CreateLinkAsync(session.Id, maxUses: 5);

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => bob.JoinAsync(link.ShareUrl!)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var shares = await owner.GetAsync<List<ShareDto>>($"/api/sessions/{session.Id}/shares");
        Assert.Single(shares, s => s.UserId == bob.User.Id);
        Assert.Equal(1, shares.Single(s => s.Id == link.Id).Uses);
    }
}

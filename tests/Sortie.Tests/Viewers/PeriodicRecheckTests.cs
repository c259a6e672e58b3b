using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sortie.Data;
using Sortie.Viewers;

namespace Sortie.Tests.Viewers;

/// <summary>
/// The periodic work, with a recheck every second. The database decides, not the signal: a share removed behind the
/// server's back (no service told, as when a signal from another replica is lost) still ends its viewer's connection;
/// and a connection that no replica vouches for any more leaves the "watching now" list.
/// </summary>
public sealed class PeriodicRecheckTests(PeriodicRecheckTests.Server server) : IClassFixture<PeriodicRecheckTests.Server>
{
    public sealed class Server : SortieServer
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("SORTIE_ACCESS_RECHECK", "1s")];
    }

    [Fact]
    public async Task A_share_deleted_in_the_database_alone_ends_its_viewer_at_the_next_recheck()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var viewer = await server.NewUserAsync();
        var share = await owner.InviteAsync(session.Id, viewer.User.Username);
        using var view = await viewer.ConnectAsync(session.Id);
        Assert.Equal("RFB 003.008\n", await view.ReadBannerAsync());

        var closing = view.WaitForCloseAsync(TimeSpan.FromSeconds(10));
        await using (var db = await server.Services.GetRequiredService<IDbContextFactory<SortieDb>>().CreateDbContextAsync(TestContext.Current.CancellationToken))
            Assert.Equal(1, await db.Shares.Where(s => s.Id == share.Id).ExecuteDeleteAsync(TestContext.Current.CancellationToken));

        Assert.Equal((4001, "access revoked"), await closing);
    }

    [Fact]
    public async Task A_connection_left_listed_by_a_replica_that_died_drops_off_the_list()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        var factory = server.Services.GetRequiredService<IDbContextFactory<SortieDb>>();
        await using (var db = await factory.CreateDbContextAsync(TestContext.Current.CancellationToken))
        {
            // As another replica would list its viewer, before it was killed and stopped refreshing the row.
            db.ViewerRecords.Add(new ViewerRecord
            {
                Id = Guid.NewGuid(), SessionId = session.Id, UserId = owner.User.Id, Username = owner.User.Username,
                Permission = SharePermission.ReadWrite, Via = AccessVia.Owner, ConnectedAt = DateTime.UtcNow, Replica = "gone", SeenAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        Assert.Single(await owner.GetAsync<List<ViewerDto>>($"/api/sessions/{session.Id}/viewers"));

        // Stale after three recheck periods (1 s here), then swept.
        Assert.True(await Eventually.TrueAsync(async () =>
            (await owner.GetAsync<List<ViewerDto>>($"/api/sessions/{session.Id}/viewers")).Count == 0, TimeSpan.FromSeconds(10)));
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            await using var db = await factory.CreateDbContextAsync();
            return !await db.ViewerRecords.AnyAsync(c => c.SessionId == session.Id);
        }, TimeSpan.FromSeconds(10)));
    }
}

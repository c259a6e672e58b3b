using Microsoft.Extensions.DependencyInjection;
using Sortie.Viewers;

namespace Sortie.Tests.Viewers;

/// <summary>The viewer counts of an admin's All sessions list: one query for many sessions.</summary>
public sealed class ViewerCountTests(SortieServer server) : IClassFixture<SortieServer>
{
    [Fact]
    public async Task Counts_each_sessions_live_connections_and_leaves_out_a_session_nobody_watches()
    {
        var (owner, watched) = await server.NewRunningSessionAsync();
        var (_, unwatched) = await server.NewRunningSessionAsync();
        var room = server.Services.GetRequiredService<ViewerRoom>();
        await using var first = await owner.ViewAsync(watched.Id);
        await using var second = await owner.ViewAsync(watched.Id);

        Dictionary<Guid, int> counts = [];
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            counts = await room.CountAsync([watched.Id, unwatched.Id], CancellationToken.None);
            return counts.GetValueOrDefault(watched.Id) == 2;
        }), $"Counted {counts.GetValueOrDefault(watched.Id)} connections, not 2.");
        Assert.Equal([watched.Id], counts.Keys);
    }
}

using Npgsql;
using Sortie.Data;

namespace Sortie.Tests.Replicas;

/// <summary>
/// The database, not the signal, decides: access taken away with no signal at all (as if the notification were lost)
/// ends when the replicas listen again. In a class of its own, as it cuts both replicas' LISTEN connections.
/// </summary>
public sealed class MissedSignalTests(TwoReplicas replicas) : IClassFixture<TwoReplicas>
{
    [Fact]
    public async Task Access_taken_away_while_a_replica_was_not_listening_ends_when_it_listens_again()
    {
        var (_, session, viewer, share) = await replicas.SharedAsync(SharePermission.ReadOnly);
        using var view = await TwoReplicas.ConnectedAsync(viewer, session.Id);

        // The share goes with no signal at all (as if the notification were lost), and the replicas' LISTEN
        // connections are cut: on reconnecting, each checks every live viewer against the database.
        var (close, _) = await view.ClosedByAsync(async () =>
        {
            await using var db = new NpgsqlConnection(replicas.Database);
            await db.OpenAsync();
            await using (var revoke = new NpgsqlCommand("""DELETE FROM "Shares" WHERE "Id" = $1""", db))
            {
                revoke.Parameters.Add(new NpgsqlParameter { Value = share.Id });
                Assert.Equal(1, await revoke.ExecuteNonQueryAsync());
            }
            await using var cut = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'", db);
            Assert.Equal(2L, await cut.ExecuteScalarAsync());
        }, timeout: TimeSpan.FromSeconds(15));

        Assert.Equal((4001, "access revoked"), close);
    }
}

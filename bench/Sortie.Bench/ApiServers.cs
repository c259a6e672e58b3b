using Microsoft.AspNetCore.Hosting;
using Sortie.Testing;

namespace Sortie.Bench;

/// <summary>
/// A real Sortie like <see cref="RealServer"/>, on a database of its own in the tests' PostgreSQL 15 cluster
/// (tests/Sortie.Testing/PostgresServer.cs: started on loopback on first use, removed when the bench exits).
/// </summary>
internal sealed class PostgresRealServer : SortieServer
{
    protected override bool OnPostgres => true;

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [.. BenchSettings.All, new(WebHostDefaults.ContentRootKey, BenchSettings.ContentRoot())];
}

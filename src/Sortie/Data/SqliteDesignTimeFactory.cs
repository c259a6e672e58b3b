using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Sortie.Data;

/// <summary>
/// For `dotnet ef migrations add ... --context SortieDb` (SQLite). Without it the tools would build the SortieDb
/// through <see cref="PostgresSortieDb.DesignTimeFactory"/>, whose PostgresSortieDb is a SortieDb too, and write PostgreSQL migrations.
/// </summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SortieDb>
{
    public SortieDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SortieDb>().UseSqlite("Data Source=design-time.db").Options);
}

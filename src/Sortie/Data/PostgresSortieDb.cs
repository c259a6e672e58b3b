using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Sortie.Data;

/// <summary>The same model on PostgreSQL, with its own migrations (Data/Migrations/Postgres); see <see cref="DatabaseSetup"/>.</summary>
/// <remarks>Takes options of either type: the pool makes a <c>DbContextOptions&lt;PostgresSortieDb&gt;</c>.</remarks>
public sealed class PostgresSortieDb(DbContextOptions options) : SortieDb(options)
{
    protected override void OnModelCreating(ModelBuilder model)
    {
        base.OnModelCreating(model);
        // Byte-wise comparison and order for names, as SQLite's default: the same uniqueness and listing order
        // whatever locale the PostgreSQL cluster was created with.
        model.Entity<User>().Property(u => u.Username).UseCollation("C");
        model.Entity<App>().Property(a => a.Name).UseCollation("C");
    }

    /// <summary>Hands out pooled <see cref="PostgresSortieDb"/>s wherever a <see cref="SortieDb"/> is asked for.</summary>
    public sealed class Factory(IDbContextFactory<PostgresSortieDb> pool) : IDbContextFactory<SortieDb>
    {
        public SortieDb CreateDbContext() => pool.CreateDbContext();
    }

    /// <summary>For `dotnet ef migrations add ... --context PostgresSortieDb`: no server is contacted.</summary>
    public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PostgresSortieDb>
    {
        public PostgresSortieDb CreateDbContext(string[] args) =>
            new(new DbContextOptionsBuilder<SortieDb>().UseNpgsql("Host=localhost;Database=sortie").Options);
    }
}

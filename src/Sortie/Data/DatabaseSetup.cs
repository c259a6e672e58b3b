using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Npgsql;
using Sortie.Hosting;

namespace Sortie.Data;

/// <summary>
/// Chooses the database: PostgreSQL when SORTIE_DATABASE holds a connection string, otherwise SQLite in the data dir.
/// </summary>
/// <remarks>
/// Each provider has its own migrations, told apart by context type: EF Core applies only the migrations whose
/// [DbContext] attribute names the exact type of the running context. SQLite runs <see cref="SortieDb"/> with the
/// migrations in Data/Migrations; PostgreSQL runs <see cref="PostgresSortieDb"/>, a subclass with the same model, with
/// those in Data/Migrations/Postgres. The rest of the code asks for <c>IDbContextFactory&lt;SortieDb&gt;</c> (or a
/// scoped <see cref="SortieDb"/>) and never knows which one it got.
/// <para>
/// Contexts are pooled: a new context builds its internal service provider and services on first use, which was the
/// largest single cost of a cheap API request under load (docs/benchmarks.md, "API profile"). A context returned to
/// the pool is reset (change tracker, connection, options), and none of Sortie's contexts keeps state of its own.
/// </para>
/// </remarks>
public static class DatabaseSetup
{
    public static IServiceCollection AddSortieDatabase(this IServiceCollection services, SortieOptions options)
    {
        if (options.Database is null)
        {
            SqliteSetup.Configure();
            services.AddPooledDbContextFactory<SortieDb>(db => db.UseSqlite($"Data Source={options.DatabasePath}"));
        }
        else
        {
            var connection = PostgresConnection(options.Database);
            services.AddPooledDbContextFactory<PostgresSortieDb>(db => db.UseNpgsql(connection));
            services.AddSingleton<IDbContextFactory<SortieDb>>(sp =>
                new PostgresSortieDb.Factory(sp.GetRequiredService<IDbContextFactory<PostgresSortieDb>>()));
        }
        // A request's own context (AuthService), from the pool and back to it when the request ends.
        services.AddScoped<SortieDb>(sp => sp.GetRequiredService<IDbContextFactory<SortieDb>>().CreateDbContext());
        return services;
    }

    /// <summary>
    /// Checks the connection string's syntax up front, with an error that names the key but does not repeat the value
    /// (it may hold a password).
    /// </summary>
    private static string PostgresConnection(string text)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(text);
            if (string.IsNullOrEmpty(builder.Host)) throw new ArgumentException("no Host");
            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            throw new InvalidOperationException(
                "SORTIE_DATABASE: not a PostgreSQL connection string (e.g. Host=db;Database=sortie;Username=sortie;Password=...).");
        }
    }
}

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

/// <summary>
/// For `dotnet ef migrations add ... --context SortieDb` (SQLite). Without it the tools would build the SortieDb
/// through <see cref="PostgresSortieDb.DesignTimeFactory"/>, whose PostgresSortieDb is a SortieDb too, and write PostgreSQL migrations.
/// </summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SortieDb>
{
    public SortieDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SortieDb>().UseSqlite("Data Source=design-time.db").Options);
}

using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sortie.Platform;

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

using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Sortie.Auth;

using Sortie.Data;
using Sortie.Platform;

namespace Sortie.Hosting;

/// <summary>Brings the database up to date and, on the very first start, creates the admin and the demo apps.</summary>
public static class Seeder
{
    public static async Task PrepareDatabaseAsync(IServiceProvider services, CancellationToken ct = default)
    {
        var options = services.GetRequiredService<SortieOptions>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        // The database and the keys are the server's alone.
        Directory.CreateDirectory(options.DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var db = await services.GetRequiredService<IDbContextFactory<SortieDb>>().CreateDbContextAsync(ct);
        await using var alone = await OneAtATimeAsync(db, ct);
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToHashSet();
        await db.Database.MigrateAsync(ct);
        if (db.Database.IsSqlite())
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct); // readers never wait for the writer
        if (await db.Users.AnyAsync(ct))
        {
            await AddDemoAppsOfAsync(db, pending, now, ct);
            return;
        }

        var hasher = services.GetRequiredService<IPasswordHasher<User>>();
        var password = options.AdminPassword ?? GeneratePassword(options);
        var admin = new User { Username = "admin", PasswordHash = "", Role = UserRole.Admin, CreatedAt = now };
        admin.PasswordHash = hasher.HashPassword(admin, password);
        db.Users.Add(admin);
        db.Apps.AddRange(DemoApps(now));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Replicas starting at once on PostgreSQL take turns to migrate and seed, under a session-level advisory lock
    /// held on a connection of its own (EF Core's own migration lock is taken per migration, so two servers could
    /// both apply the same one). The lock ends with that connection. SQLite has one server: nothing to do.
    /// </summary>
    private static async Task<IAsyncDisposable?> OneAtATimeAsync(SortieDb db, CancellationToken ct)
    {
        if (!db.Database.IsNpgsql()) return null;
        // Not pooled: closing it must end the database session, and the lock with it.
        var settings = new Npgsql.NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false };
        var connection = new Npgsql.NpgsqlConnection(settings.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var take = new Npgsql.NpgsqlCommand("SELECT pg_advisory_lock(7427891310)", connection); // any fixed key
            await take.ExecuteNonQueryAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static IEnumerable<App> DemoApps(DateTime now) =>
    [
        new App
        {
            Name = "desktop", Description = "A desktop with a terminal (openbox and xterm).", Icon = "🖥️",
            LaunchType = LaunchType.Container, Protocol = StreamProtocol.Vnc, Command = "exec openbox --startup xterm",
            CreatedAt = now,
        },
        new App
        {
            Name = "docs", Description = "Sortie's API reference, in a new tab.", Icon = "📖",
            LaunchType = LaunchType.Url, Url = "/scalar", CreatedAt = now,
        },
        Browser(now),
    ];

    /// <summary>A web-proxy demo that needs no internet: a kiosk browser on the portal's own API reference.</summary>
    private static App Browser(DateTime now) => new()
    {
        Name = "browser", Description = "A browser in a session, on Sortie's API reference.", Icon = "🌐",
        LaunchType = LaunchType.WebProxy, Url = "/scalar/", CreatedAt = now,
    };

    /// <summary>
    /// Demo apps that came with a migration reach existing databases once, when that migration is applied (unless an
    /// app of the same name exists); a database created since gets them with the first start's seeding.
    /// </summary>
    private static async Task AddDemoAppsOfAsync(SortieDb db, IReadOnlySet<string> applied, DateTime now, CancellationToken ct)
    {
        if (!applied.Any(m => m.EndsWith("_RdpAndWebProxy", StringComparison.Ordinal))) return;
        var browser = Browser(now);
        if (await db.Apps.AnyAsync(a => a.Name == browser.Name, ct)) return;
        db.Apps.Add(browser);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// The first admin password, when none is configured: shown once on the console (not through the
    /// log pipeline, which may be shipped elsewhere) and kept in the data dir, readable by this user only.
    /// </summary>
    private static string GeneratePassword(SortieOptions options)
    {
        var path = Path.Combine(options.DataDir, "admin-password.txt");
        var password = System.Text.Encoding.UTF8.GetString(SecretFile.ReadOrCreate(path,
            () => System.Text.Encoding.UTF8.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(15))
                .Replace('+', '-').Replace('/', '_'))));
        Console.WriteLine($"""

            ==> Sortie's first start: log in as 'admin' with the password {password}
                (kept in {path}; set SORTIE_ADMIN_PASSWORD to choose it instead)

            """);
        return password;
    }
}

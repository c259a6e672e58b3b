using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sortie.Apps;
using Sortie.Auth;
using Sortie.Data;
using Sortie.Users;

namespace Sortie.Tests.Data;

/// <summary>
/// The data layer on a real PostgreSQL, whatever SORTIE_TEST_DATABASE says: the migrations, the mapping of
/// timestamps and enums, the unique names, and the conditional update that keeps a link's max_uses under a race.
/// (With SORTIE_TEST_DATABASE=postgres every other test runs on PostgreSQL too.)
/// </summary>
public sealed class PostgresTests
{
    private static async Task<SortieDb> NewDatabaseAsync()
    {
        var db = Open(await PostgresServer.NewDatabaseAsync());
        await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
        return db;
    }

    private static SortieDb Open(string connectionString) =>
        new PostgresSortieDb(new DbContextOptionsBuilder<SortieDb>().UseNpgsql(connectionString).Options);

    [Fact]
    public async Task The_migrations_apply_and_match_the_model_on_both_providers()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var postgres = await NewDatabaseAsync();
        Assert.Empty(await postgres.Database.GetPendingMigrationsAsync(ct));
        Assert.NotEmpty(await postgres.Database.GetAppliedMigrationsAsync(ct));
        Assert.False(postgres.Database.HasPendingModelChanges(), "the model changed: add a PostgreSQL migration too (see docs/operations.md)");

        // Each provider sees only its own migrations.
        var folder = Directory.CreateTempSubdirectory("sortie-sqlite-");
        try
        {
            await using var sqlite = new SortieDb(new DbContextOptionsBuilder<SortieDb>()
                .UseSqlite($"Data Source={Path.Combine(folder.FullName, "sortie.db")};Pooling=false").Options);
            Assert.False(sqlite.Database.HasPendingModelChanges(), "the model changed: add a SQLite migration too");
            Assert.Empty(sqlite.Database.GetMigrations().Intersect(postgres.Database.GetMigrations()));
        }
        finally { folder.Delete(recursive: true); }
    }

    [Fact]
    public async Task A_user_session_and_share_round_trip_with_utc_timestamps()
    {
        var ct = TestContext.Current.CancellationToken;
        var connection = await PostgresServer.NewDatabaseAsync();
        var at = new DateTime(2026, 11, 25, 10, 30, 15, 123, DateTimeKind.Utc);
        Guid shareId;
        await using (var db = Open(connection))
        {
            await db.Database.MigrateAsync(ct);
            var owner = new User { Username = "olga", PasswordHash = "x" };
            var guest = new User { Username = "gus", PasswordHash = "x", Role = UserRole.Admin };
            var app = new App { Name = "desktop", LaunchType = LaunchType.Container, Protocol = StreamProtocol.Vnc };
            var session = new Session { App = app, Owner = owner, Status = SessionStatus.Running, Width = 640, Height = 480, StartedAt = at };
            var share = new Share
            {
                Session = session, Kind = ShareKind.User, User = guest, Permission = SharePermission.ReadWrite,
                ExpiresAt = DateTime.SpecifyKind(at, DateTimeKind.Unspecified), // taken as UTC, not refused by Npgsql
                CreatedById = owner.Id, CreatedByName = owner.Username,
            };
            db.AddRange(owner, guest, app, session, share);
            db.Audit.Add(new AuditEvent { Action = "share.created", SessionId = session.Id, ShareId = share.Id });
            await db.SaveChangesAsync(ct);
            shareId = share.Id;
        }
        await using (var db = Open(connection))
        {
            var share = await db.Shares.Include(s => s.Session).ThenInclude(s => s.App).Include(s => s.User)
                .SingleAsync(s => s.Id == shareId, ct);
            Assert.Equal((ShareKind.User, SharePermission.ReadWrite, "gus", UserRole.Admin), (share.Kind, share.Permission, share.User!.Username, share.User.Role));
            Assert.Equal((SessionStatus.Running, "desktop", StreamProtocol.Vnc), (share.Session.Status, share.Session.App.Name, share.Session.App.Protocol));
            Assert.Equal(DateTimeKind.Utc, share.Session.StartedAt!.Value.Kind);
            Assert.Equal(at, share.Session.StartedAt);
            Assert.Equal(DateTimeKind.Utc, share.ExpiresAt!.Value.Kind);
            // Comparisons in queries use the same instants.
            Assert.True(await db.Shares.AnyAsync(s => s.Id == shareId && s.ExpiresAt > at.AddSeconds(-1) && s.ExpiresAt <= at, ct));
            Assert.True(await db.Audit.AnyAsync(e => e.ShareId == shareId && e.Id > 0, ct));
        }
    }

    [Fact]
    public async Task Usernames_and_app_names_are_unique()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await NewDatabaseAsync();
        db.Users.Add(new User { Username = "alice", PasswordHash = "x" });
        db.Apps.Add(new App { Name = "desktop" });
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();

        db.Users.Add(new User { Username = "alice", PasswordHash = "y" });
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
        db.ChangeTracker.Clear();
        db.Apps.Add(new App { Name = "desktop" });
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
    }

    [Fact]
    public async Task Of_many_joins_racing_for_a_link_with_one_use_exactly_one_wins()
    {
        var ct = TestContext.Current.CancellationToken;
        var connection = await PostgresServer.NewDatabaseAsync();
        Guid linkId;
        await using (var db = Open(connection))
        {
            await db.Database.MigrateAsync(ct);
            var owner = new User { Username = "olga", PasswordHash = "x" };
            var session = new Session { App = new App { Name = "desktop" }, Owner = owner, Status = SessionStatus.Running };
            var link = new Share { Session = session, Kind = ShareKind.Link, TokenHash = "hash", MaxUses = 1, CreatedById = owner.Id };
            db.AddRange(owner, session, link);
            await db.SaveChangesAsync(ct);
            linkId = link.Id;
        }

        // SharingService.JoinAsync's claim: a conditional increment inside a transaction, held open a moment.
        var now = DateTime.UtcNow;
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            await using var db = Open(connection);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var taken = await db.Shares
                .Where(s => s.Id == linkId && (s.MaxUses == null || s.Uses < s.MaxUses) && (s.ExpiresAt == null || s.ExpiresAt > now))
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Uses, x => x.Uses + 1), ct);
            await Task.Delay(50, ct);
            await tx.CommitAsync(ct);
            return taken;
        }));

        Assert.Equal(1, results.Sum());
        await using var check = Open(connection);
        Assert.Equal(1, await check.Shares.Where(s => s.Id == linkId).Select(s => s.Uses).SingleAsync(ct));
    }

    [Fact]
    public async Task A_server_on_postgres_seeds_the_admin_and_keeps_usernames_case_insensitive()
    {
        await using var server = new PostgresSortieServer();
        await server.InitializeAsync();
        Assert.NotNull(server.Database);
        Assert.IsType<PostgresSortieDb>(server.Services.GetRequiredService<IDbContextFactory<SortieDb>>().CreateDbContext());
        using (var scope = server.Services.CreateScope())
            Assert.IsType<PostgresSortieDb>(scope.ServiceProvider.GetRequiredService<SortieDb>());

        using var admin = await server.AdminAsync();
        var created = await ApiClient.ReadAsync<UserDto>(await admin.PostAsync("/api/admin/users", new CreateUserRequest("Dora", "dora-password")));
        Assert.Equal("dora", created.Username);
        await ProblemAssert.IsProblemAsync(
            await admin.PostAsync("/api/admin/users", new CreateUserRequest("DORA", "other-password")), HttpStatusCode.Conflict);
        using var dora = await server.LoginAsync("DoRa", "dora-password");
        Assert.Equal(created.Id, dora.User.Id);
        Assert.Equal(["admin", "dora"], (await admin.GetAsync<List<UserDto>>("/api/admin/users")).Select(u => u.Username));
        Assert.Contains(await dora.GetAsync<List<AppDto>>("/api/apps"), a => a.Name == "desktop");
    }

    [Fact]
    public async Task A_server_that_cannot_log_in_to_postgres_stops_and_does_not_print_the_password()
    {
        var wrong = new Npgsql.NpgsqlConnectionStringBuilder(await PostgresServer.NewDatabaseAsync())
        {
            Password = "not-the-password-" + Guid.NewGuid().ToString("N"),
        };
        var dataDir = Directory.CreateTempSubdirectory("sortie-test-").FullName;
        try
        {
            var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(dataDir,
                new Dictionary<string, string> { ["SORTIE_DATABASE"] = wrong.ConnectionString }));
            Assert.Contains("password authentication failed", failed.Message); // the server's output
            Assert.DoesNotContain(wrong.Password, failed.Message);
        }
        finally { Directory.Delete(dataDir, recursive: true); }
    }

    private sealed class PostgresSortieServer : SortieServer
    {
        protected override bool OnPostgres => true;
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Sortie.Testing;

/// <summary>
/// A real PostgreSQL for the tests: one cluster per test process (Debian's postgresql-15), created in a temp folder and
/// started on a free loopback port the first time a test asks for a database, stopped and removed when the process
/// exits. Each data dir gets its own database, so a server restarted on the same data dir finds its data again.
/// As root the cluster runs as the <c>postgres</c> user, since PostgreSQL refuses to run as root.
/// </summary>
public static class PostgresServer
{
    /// <summary>SORTIE_TEST_DATABASE=postgres runs every <see cref="SortieServer"/> and <see cref="ServerProcess"/> on PostgreSQL.</summary>
    public static bool Selected => Environment.GetEnvironmentVariable("SORTIE_TEST_DATABASE")?.Trim().ToLowerInvariant()
        is "postgres" or "postgresql" or "pg";

    private const string User = "sortie";
    private static readonly string Bin = Environment.GetEnvironmentVariable("SORTIE_TEST_PG_BIN") ?? "/usr/lib/postgresql/15/bin";
    private static readonly Lazy<Task<Cluster>> Shared = new(StartAsync);
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Databases = new();

    private sealed record Cluster(string Folder, int Port, string Password)
    {
        public string Data => Path.Combine(Folder, "data");

        public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = Port, Database = database, Username = User, Password = Password,
        }.ConnectionString;
    }

    /// <summary>The connection string of the database for <paramref name="dataDir"/>, created on first use.</summary>
    public static Task<string> DatabaseForAsync(string dataDir)
    {
        var name = "sortie_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(dataDir))))[..16];
        return Databases.GetOrAdd(name, n => new Lazy<Task<string>>(() => CreateDatabaseAsync(n))).Value;
    }

    /// <summary>A new, empty database of its own.</summary>
    public static Task<string> NewDatabaseAsync() => CreateDatabaseAsync("sortie_" + Guid.NewGuid().ToString("N")[..16]);

    /// <summary>A plain-text pg_dump of a database: what a copy of it would give away.</summary>
    public static async Task<string> DumpAsync(string connectionString)
    {
        var cluster = await Shared.Value;
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        var output = Path.Combine(cluster.Folder, $"dump-{Guid.NewGuid():N}.sql");
        await RunAsync(cluster, "pg_dump", ["-h", cluster.Folder, "-p", cluster.Port.ToString(), "-U", User, "-f", output, database]);
        try { return await File.ReadAllTextAsync(output); }
        finally { File.Delete(output); }
    }

    /// <summary>Closes the idle pooled connections to a database that a finished test server leaves behind.</summary>
    public static void ReleaseConnections(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        NpgsqlConnection.ClearPool(connection);
    }

    private static async Task<string> CreateDatabaseAsync(string name) => await CreateDatabaseAsync(await Shared.Value, name);

    private static async Task<string> CreateDatabaseAsync(Cluster cluster, string name)
    {
        await using var admin = new NpgsqlConnection(cluster.ConnectionString("postgres"));
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
        await create.ExecuteNonQueryAsync();
        return cluster.ConnectionString(name);
    }

    private static Task<Cluster> StartAsync() => StartClusterAsync();

    private static async Task<Cluster> StartClusterAsync()
    {
        if (!File.Exists(Path.Combine(Bin, "pg_ctl")))
            throw new InvalidOperationException($"PostgreSQL is not installed ({Bin}/pg_ctl is missing): run scripts/setup.sh.");
        var folder = Directory.CreateTempSubdirectory("sortie-pg-").FullName;
        var cluster = new Cluster(folder, FreePort(), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        var passwordFile = Path.Combine(folder, "password");
        await File.WriteAllTextAsync(passwordFile, cluster.Password + "\n");
        if (AsRoot) await ExecAsync("chown", ["-R", "postgres:postgres", folder]);

        await RunAsync(cluster, "initdb", ["-D", cluster.Data, "-U", User, $"--pwfile={passwordFile}", "--auth=scram-sha-256",
            "-E", "UTF8", "--no-locale", "--no-sync"]);
        File.Delete(passwordFile);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Remove(cluster);
        await ResumeAsync(cluster);
        return cluster;
    }

    /// <summary>Starts a stopped cluster again, on the same port.</summary>
    private static Task ResumeAsync(Cluster cluster)
    {
        // Loopback only, the socket in the cluster's folder; durability traded for speed, as befits a test database.
        var settings = string.Join(' ', $"-p {cluster.Port}", $"-k {cluster.Folder}", "-c listen_addresses=127.0.0.1",
            "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off", "-c max_connections=400");
        return RunAsync(cluster, "pg_ctl", ["-D", cluster.Data, "-l", Path.Combine(cluster.Folder, "server.log"), "-w", "-t", "60", "-o", settings, "start"]);
    }

    private static Task StopAsync(Cluster cluster) => RunAsync(cluster, "pg_ctl", ["-D", cluster.Data, "-m", "immediate", "-w", "stop"]);

    private static void Remove(Cluster cluster)
    {
        try
        {
            StopAsync(cluster).Wait(TimeSpan.FromSeconds(20));
        }
        catch (Exception) { } // stopped already, or the process is ending: a leftover temp folder is the worst outcome
        try { Directory.Delete(cluster.Folder, recursive: true); } catch (Exception) { }
    }

    /// <summary>
    /// A PostgreSQL of a test's own, which the test may stop and start again (a database outage) without disturbing the
    /// tests that share the common one. Removed on dispose.
    /// </summary>
    public sealed class Own : IAsyncDisposable
    {
        private readonly Cluster _cluster;
        private Own(Cluster cluster, string database) => (_cluster, ConnectionString) = (cluster, database);

        /// <summary>The connection string of its one database.</summary>
        public string ConnectionString { get; }

        public static async Task<Own> StartAsync()
        {
            var cluster = await StartClusterAsync();
            return new Own(cluster, await CreateDatabaseAsync(cluster, "sortie"));
        }

        /// <summary>Shuts the server down at once, as a crash or an outage would.</summary>
        public Task StopAsync() => PostgresServer.StopAsync(_cluster);

        /// <summary>Starts it again where it was.</summary>
        public Task ResumeAsync() => PostgresServer.ResumeAsync(_cluster);

        public ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            Remove(_cluster);
            return ValueTask.CompletedTask;
        }
    }

    private static bool AsRoot => Environment.UserName == "root";

    /// <summary>Runs one of PostgreSQL's programs, as the postgres user when this process is root.</summary>
    private static Task RunAsync(Cluster cluster, string program, IEnumerable<string> args)
    {
        var command = Path.Combine(Bin, program);
        var env = new Dictionary<string, string> { ["PGPASSWORD"] = cluster.Password };
        return AsRoot
            ? ExecAsync("runuser", ["-u", "postgres", "--", command, .. args], env)
            : ExecAsync(command, args, env);
    }

    private static async Task ExecAsync(string command, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null)
    {
        // Output to a file, not a pipe: pg_ctl's server inherits the descriptors and outlives the command.
        var log = Path.GetTempFileName();
        try
        {
            var start = new ProcessStartInfo("/bin/sh", ["-c", "exec \"$@\" >\"$LOGFILE\" 2>&1 </dev/null", "sh", command, .. args])
            {
                WorkingDirectory = "/",
            };
            start.Environment["LOGFILE"] = log;
            foreach (var (key, value) in env ?? new Dictionary<string, string>()) start.Environment[key] = value;
            using var process = Process.Start(start)!;
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{Path.GetFileName(command)} {string.Join(' ', args.Take(1))}... exited with {process.ExitCode}: {await File.ReadAllTextAsync(log)}");
        }
        finally { File.Delete(log); }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Sortie.Auth;
using Xunit;
using Sortie.Platform;

namespace Sortie.Testing;

/// <summary>
/// A real Sortie server for one test class: Kestrel on a free loopback port, its own SQLite database and
/// data dir, and the local runner starting real Xvnc sandboxes. Everything is removed on dispose.
/// With SORTIE_TEST_DATABASE=postgres the database is instead one of its own in the tests' PostgreSQL
/// (<see cref="PostgresServer"/>), tied to the data dir so that a restarted server finds it again.
/// </summary>
public class SortieServer : WebApplicationFactory<Program>, ISortieServer, IAsyncLifetime
{
    public const string AdminPassword = "admin-password-for-tests";
    private readonly bool _ownsDataDir;

    public string DataDir { get; }
    public Uri BaseUri { get; private set; } = null!;
    /// <summary>The PostgreSQL connection string when the tests run on PostgreSQL; null on SQLite.</summary>
    public string? Database { get; private set; }
    /// <summary>The server's clock: the system's until a test moves it forward (instead of sleeping).</summary>
    public ShiftableClock Clock { get; } = new();

    /// <summary>Whether this server's database is PostgreSQL (by default: when SORTIE_TEST_DATABASE=postgres).</summary>
    protected virtual bool OnPostgres => PostgresServer.Selected;

    /// <summary>Settings a test class may add (the same flat keys as the environment variables).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> Settings => [];

    public SortieServer() : this(null) { }

    /// <summary>A server on an existing data dir (see <see cref="RestartedServer"/>).</summary>
    protected SortieServer(string? dataDir)
    {
        _ownsDataDir = dataDir is null;
        DataDir = dataDir ?? Directory.CreateTempSubdirectory("sortie-test-").FullName;
        UseKestrel(0);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("SORTIE_DATA_DIR", DataDir);
        builder.UseSetting("SORTIE_ADMIN_PASSWORD", AdminPassword);
        builder.UseSetting("urls", "http://127.0.0.1:0");
        // A test server takes its sandboxes along when it goes (a restart test may say otherwise).
        builder.UseSetting("SORTIE_STOP_SESSIONS_ON_EXIT", "true");
        if (Database is not null) builder.UseSetting("SORTIE_DATABASE", Database);
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            // One PBKDF2 round instead of 100 000: the same hashing code and format, without a tenth of a second of CPU
            // for every account a test makes and every login (the server processes, e.g. the browser tests', keep it).
            services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1);
        });
    }

    public virtual async ValueTask InitializeAsync()
    {
        if (OnPostgres) Database = await PostgresServer.DatabaseForAsync(DataDir);
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address.Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1"));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Database is not null) PostgresServer.ReleaseConnections(Database);
        if (_ownsDataDir)
            try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }

    /// <summary>Where the runner keeps a session's files (its home and VNC socket).</summary>
    public string SessionFolder(Guid sessionId) => Services.GetRequiredService<SortieOptions>().SessionFolder(sessionId);

    /// <summary>
    /// What a copy of the database would give away, as text (Latin-1): each SQLite file (with its WAL), or a pg_dump
    /// of the PostgreSQL database.
    /// </summary>
    public async Task<IReadOnlyList<(string Name, string Text)>> DatabaseCopiesAsync()
    {
        if (Database is not null) return [("pg_dump", await PostgresServer.DumpAsync(Database))];
        var copies = new List<(string, string)>();
        foreach (var file in Directory.GetFiles(DataDir, "sortie.db*"))
        {
            await using var copy = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var bytes = new byte[copy.Length];
            await copy.ReadExactlyAsync(bytes);
            copies.Add((file, System.Text.Encoding.Latin1.GetString(bytes)));
        }
        return copies;
    }

    /// <summary>An HTTP client with no credentials.</summary>
    public ApiClient Anonymous() => new(new HttpClient { BaseAddress = BaseUri }, null);

    /// <summary>A client carrying tokens issued earlier (by this server or by one before a restart).</summary>
    public ApiClient As(TokenPair tokens)
    {
        var http = new HttpClient { BaseAddress = BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        return new ApiClient(http, tokens);
    }
}

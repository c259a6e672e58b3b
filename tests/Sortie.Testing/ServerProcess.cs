using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Sortie.Platform;

namespace Sortie.Testing;

/// <summary>
/// Sortie as its own process (the built src/Sortie), for what an in-process server cannot show: being
/// killed outright, several replicas side by side, or the portal as ./run.sh runs it (<see cref="ProductionPortal"/>).
/// </summary>
public sealed class ServerProcess : ISortieServer, IAsyncDisposable
{
    private readonly Process _process;
    private readonly SortieOptions _options;

    public Uri BaseUri { get; }

    private ServerProcess(Process process, Uri baseUri, SortieOptions options)
    {
        _process = process;
        BaseUri = baseUri;
        _options = options;
    }

    /// <summary>Everything the server wrote to its console (its log) so far.</summary>
    public async Task<string> ReadLogAsync()
    {
        await using var log = new FileStream(Path.Combine(_options.DataDir, "server.log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return await new StreamReader(log).ReadToEndAsync();
    }

    /// <summary>Where the server keeps a session's files, as it works it out from the same settings.</summary>
    public string SessionFolder(Guid sessionId) => _options.SessionFolder(sessionId);

    /// <summary>
    /// Starts a server on <paramref name="dataDir"/> and returns once it answers /readyz. <paramref name="settings"/> are
    /// environment variables for it, e.g. SORTIE_DATABASE (see <see cref="PostgresServer"/>). It runs the build of
    /// <paramref name="configuration"/> (by default the caller's own), in the Production environment unless the settings
    /// name another.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string dataDir, IReadOnlyDictionary<string, string>? settings = null,
        string? configuration = null)
    {
        configuration ??= CallersConfiguration();
        var build = Path.Combine(RepositoryRoot(), "src", "Sortie", "bin", configuration, "net10.0", "Sortie.dll");
        if (!File.Exists(build))
            throw new FileNotFoundException($"The {configuration} build of the server is missing ({build}): build it first " +
                $"(dotnet build src/Sortie -c {configuration}; ./test.sh does).", build);
        var baseUri = new Uri($"http://127.0.0.1:{FreePort()}");
        // The output goes to a file in the data dir, not a pipe to this process: the sessions the server starts
        // inherit it and outlive the server, so a pipe would never reach its end and waiting for the exit would hang.
        var start = new ProcessStartInfo("/bin/sh", ["-c", "exec \"$@\" >>server.log 2>&1", "sh", "dotnet", build])
        {
            WorkingDirectory = dataDir,
        };
        // As `dotnet run` in src/Sortie gives it (./run.sh): the project folder is the content root (noVNC's node_modules).
        start.Environment["ASPNETCORE_CONTENTROOT"] = Path.Combine(RepositoryRoot(), "src", "Sortie");
        // Production, as ./run.sh runs: an environment the test run happens to have must not leak in.
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        start.Environment["ASPNETCORE_URLS"] = baseUri.ToString();
        start.Environment["SORTIE_DATA_DIR"] = dataDir;
        start.Environment["SORTIE_ADMIN_PASSWORD"] = SortieServer.AdminPassword;
        // On PostgreSQL (SORTIE_TEST_DATABASE=postgres), the data dir's database, unless the settings name one (SORTIE_DATABASE).
        if (PostgresServer.Selected && settings?.ContainsKey("SORTIE_DATABASE") != true)
            start.Environment["SORTIE_DATABASE"] = await PostgresServer.DatabaseForAsync(dataDir);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var options = SortieOptions.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(start.Environment.Where(e => e.Key.StartsWith("SORTIE_"))).Build());
        var process = Process.Start(start)!;

        var server = new ServerProcess(process, baseUri, options);
        using var http = new HttpClient { BaseAddress = baseUri };
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(100))
        {
            if (process.HasExited)
                throw new InvalidOperationException($"The server exited with {process.ExitCode} while starting: {File.ReadAllText(Path.Combine(dataDir, "server.log"))}");
            try
            {
                if ((await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK) return server;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                throw new TimeoutException("The server did not become ready within 30 s.");
            }
        }
    }

    /// <summary>Kills the server outright (SIGKILL): no shutdown code runs, as in a crash.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>
    /// Stops the server as an operator would (SIGTERM) and waits for its orderly shutdown: how long it took, or null when
    /// it had not exited within <paramref name="patience"/> and was killed.
    /// </summary>
    public async Task<TimeSpan?> StopAsync(TimeSpan patience)
    {
        if (_process.HasExited) return TimeSpan.Zero;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        kill(_process.Id, 15);
        try
        {
            await _process.WaitForExitAsync().WaitAsync(patience);
            return clock.Elapsed;
        }
        catch (TimeoutException)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(15));
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>The server built as the caller was (the tests: Debug; the bench: Release), from its bin/&lt;configuration&gt;/&lt;tfm&gt;/.</summary>
    private static string CallersConfiguration() =>
        Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)))!;

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Sortie.slnx"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (Sortie.slnx) is not above the test's folder.");
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}

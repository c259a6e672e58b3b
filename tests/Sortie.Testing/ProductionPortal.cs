using Xunit;

namespace Sortie.Testing;

/// <summary>
/// The portal as ./run.sh runs it, for the browser tests: a process of its own running the Release build of src/Sortie
/// in the Production environment, on a data dir of its own (removed after). An in-process <see cref="SortieServer"/>
/// runs in Development and can hide what only Production breaks: blazor.web.js once answered 500 there while every
/// browser test passed. Its sessions stop with it.
/// </summary>
public sealed class ProductionPortal : ISortieServer, IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("sortie-portal-").FullName;
    private ServerProcess? _server;

    public Uri BaseUri => (_server ?? throw new InvalidOperationException("The portal has not started.")).BaseUri;

    public async ValueTask InitializeAsync() =>
        _server = await ServerProcess.StartAsync(_dataDir, new Dictionary<string, string> { ["SORTIE_STOP_SESSIONS_ON_EXIT"] = "true" },
            configuration: "Release");

    /// <summary>Everything the portal wrote to its console so far.</summary>
    public Task<string> ReadLogAsync() => (_server ?? throw new InvalidOperationException("The portal has not started.")).ReadLogAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            // The data dir goes; its log stays beside the test output, to explain a failure afterwards.
            var logs = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "portal-logs")).FullName;
            File.Copy(Path.Combine(_dataDir, "server.log"), Path.Combine(logs, $"{DateTime.UtcNow:HHmmss}-port{_server.BaseUri.Port}.log"), overwrite: true);
        }
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}

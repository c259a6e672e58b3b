using System.Text.RegularExpressions;

namespace Sortie.Tests.Hosting;

/// <summary>
/// The portal as ./run.sh starts it (its own process, the build output, the Production environment): every script and
/// style its pages name is served, not empty. A Development host would hide a Production-only failure here.
/// </summary>
public sealed partial class ProductionAssetsTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("sortie-production-").FullName;

    [Fact]
    public async Task Every_asset_the_login_page_names_is_served_in_Production()
    {
        await using var server = await ServerProcess.StartAsync(_dataDir, new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        var ct = TestContext.Current.CancellationToken;
        var page = await http.GetStringAsync("/login", ct);

        var assets = Referenced().Matches(page).Select(m => m.Groups[1].Value).Where(u => !u.StartsWith("data:") && u != "/").ToList();
        Assert.Contains("_framework/blazor.web.js", assets);
        Assert.Contains(assets, a => a.EndsWith(".css"));
        // The session page's viewer, from npm, and the app's own scripts.
        assets.Add("/lib/novnc/core/rfb.js");
        assets.AddRange(Directory.GetFiles(Path.Combine(ServerProcess.RepositoryRoot(), "src", "Sortie", "wwwroot", "js")).Select(f => "/js/" + Path.GetFileName(f)));
        foreach (var asset in assets)
        {
            using var response = await http.GetAsync(asset.StartsWith('/') ? asset : "/" + asset, ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {(int)response.StatusCode}");
            Assert.True((await response.Content.ReadAsByteArrayAsync(ct)).Length > 0, $"{asset} is empty");
        }
    }

    [GeneratedRegex("(?:href|src)=\"([^\"]+)\"")]
    private static partial Regex Referenced();

    public void Dispose()
    {
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}

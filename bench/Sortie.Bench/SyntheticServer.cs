using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sortie.Runners;
using Sortie.Testing;

namespace Sortie.Bench;

/// <summary>
/// Sortie in this process with its runner replaced by one whose every session's VNC server is the synthetic one:
/// everything else (auth, session checks, the gateway, RfbRelay and its filters) is Sortie's own code.
/// </summary>
internal sealed class SyntheticServer(int vncPort) : SortieServer
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [.. BenchSettings.All, new(WebHostDefaults.ContentRootKey, BenchSettings.ContentRoot())];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<ISessionRunner>();
            services.AddSingleton<ISessionRunner>(new SyntheticRunner(vncPort));
        });
    }
}

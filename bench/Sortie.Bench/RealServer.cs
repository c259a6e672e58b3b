using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sortie.Runners;
using Sortie.Testing;

namespace Sortie.Bench;

/// <summary>A real Sortie (local runner, real Xvnc sandboxes) in this process, Release build.</summary>
internal sealed class RealServer : SortieServer
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [.. BenchSettings.All, new(WebHostDefaults.ContentRootKey, BenchSettings.ContentRoot())];
}

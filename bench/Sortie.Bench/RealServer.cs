using Microsoft.AspNetCore.Hosting;
using Sortie.Testing;

namespace Sortie.Bench;

/// <summary>A real Sortie (local runner, real Xvnc sandboxes) in this process, Release build.</summary>
internal sealed class RealServer : SortieServer
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [.. BenchSettings.All, new(WebHostDefaults.ContentRootKey, BenchSettings.ContentRoot())];
}

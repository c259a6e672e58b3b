using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Sortie.Auth;
using Sortie.Data;
using Sortie.Sessions;
using Xunit;
using Sortie.Platform;

namespace Sortie.Testing;

/// <summary>
/// A server started on an existing data dir, as after a restart; it leaves the data dir in place. With
/// <paramref name="sessionsOutliveIt"/> its sessions keep running when it stops, for the next server to resume.
/// </summary>
public sealed class RestartedServer(string dataDir, bool sessionsOutliveIt = false) : SortieServer(dataDir)
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        sessionsOutliveIt ? [new("SORTIE_STOP_SESSIONS_ON_EXIT", "false")] : [];
}

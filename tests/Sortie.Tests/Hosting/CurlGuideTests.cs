using System.Diagnostics;
using System.Text.RegularExpressions;
using Sortie.Audit;
using Sortie.Data;
using Sortie.Sessions;

namespace Sortie.Tests.Hosting;

/// <summary>docs/api.md's curl guide, run with curl as it is written, against a real server with its alice and bob.</summary>
public sealed class CurlGuideTests(NoDesktopServer server) : IClassFixture<NoDesktopServer>
{
    private const string GuideAddress = "SORTIE=http://127.0.0.1:8080";

    [Fact]
    public async Task The_guides_six_steps_log_in_launch_invite_make_a_link_and_end_the_session()
    {
        using var alice = await server.NewUserAsync(name: "alice");
        using var bob = await server.NewUserAsync(name: "bob");
        var guide = GuideScript();
        Assert.Contains(GuideAddress, guide);

        // Only the portal's address changes: the rest runs as a reader would paste it.
        var (status, output, errors) = await BashAsync(guide.Replace(GuideAddress, $"SORTIE={server.BaseUri.ToString().TrimEnd('/')}"));

        Assert.True(status == 0, $"The guide failed ({status}): {errors}\n{output}");
        var shareUrl = output.TrimEnd().Split('\n')[^1];
        Assert.StartsWith(new Uri(server.BaseUri, "/join/").ToString(), shareUrl);
        var audit = await AuditOfAlicesLastSessionAsync(alice);
        Assert.Contains(audit, e => e is { Action: "share.created", Subject: "bob", Detail: "read_only" });
        Assert.Contains(audit, e => e is { Action: "share.created", Subject: "link", Detail: "read_write" });
        Assert.Equal(SessionStatus.Terminated, (await alice.GetAsync<SessionDto>($"/api/sessions/{audit[0].SessionId}")).Status);
    }

    /// <summary>The sh block under "A first session with curl".</summary>
    private static string GuideScript()
    {
        var api = File.ReadAllText(Path.Combine(ServerProcess.RepositoryRoot(), "docs", "api.md"));
        var match = Regex.Match(api, @"## A first session with curl.*?```sh\n(.*?)```", RegexOptions.Singleline);
        Assert.True(match.Success, "docs/api.md has no 'A first session with curl' section with an sh block.");
        return match.Groups[1].Value;
    }

    private async Task<List<AuditEventDto>> AuditOfAlicesLastSessionAsync(ApiClient alice)
    {
        using var admin = await server.AdminAsync();
        var all = await admin.GetAsync<List<AuditEventDto>>("/api/admin/audit?limit=500");
        var session = all.First(e => e is { Action: "share.created", ActorName: "alice" }).SessionId!.Value;
        return await alice.GetAsync<List<AuditEventDto>>($"/api/sessions/{session}/audit");
    }

    private static async Task<(int Status, string Output, string Errors)> BashAsync(string script)
    {
        var start = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", script])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var bash = Process.Start(start)!;
        var output = bash.StandardOutput.ReadToEndAsync();
        var errors = bash.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await bash.WaitForExitAsync(limit.Token);
        return (bash.ExitCode, await output, await errors);
    }
}

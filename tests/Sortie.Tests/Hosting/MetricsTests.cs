using System.Globalization;
using System.Net.Http.Headers;
using Sortie.Auth;

namespace Sortie.Tests.Hosting;

/// <summary>
/// /metrics in Prometheus' text format, moved by what happens on the portal. Each test runs its own server process:
/// in-process test servers share the instruments' names (meters are process-wide) and would count one another's events.
/// </summary>
public sealed class MetricsTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("sortie-metrics-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public async Task A_share_a_join_a_viewer_and_a_revoke_show_in_the_metrics()
    {
        await using var server = await ServerProcess.StartAsync(_dataDir);
        var owner = await server.NewUserAsync();
        var session = await owner.LaunchDesktopAsync(320, 240);
        var guest = await server.NewUserAsync();
        var link = await owner.CreateLinkAsync(session.Id);
        (await guest.JoinAsync(link.ShareUrl!)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NotFound, (await guest.JoinAsync(link.ShareUrl + "x")).StatusCode);
        using var anonymous = new ApiClient(new HttpClient { BaseAddress = server.BaseUri }, null);
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await anonymous.PostAsync("/api/auth/login", new LoginRequest(guest.User.Username, "wrong-password"))).StatusCode);

        await using var view = await guest.ViewAsync(session.Id);
        await view.WaitForPictureAsync(f => f.CountDistinctColours() > 1, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var watching = await ScrapeAsync(anonymous);
        Assert.True(Sum(watching, "sortie_viewers", "permission=\"read_only\"") >= 1, watching);
        Assert.True(Sum(watching, "sortie_gateway_bytes_total", "direction=\"to_viewer\"") > 0, watching);
        Assert.True(Sum(watching, "sortie_gateway_bytes_total", "direction=\"to_desktop\"") > 0, watching);

        // Revoking the link takes the guest's access (joined through it) with it, and closes the viewer.
        (await owner.Http.DeleteAsync($"/api/sessions/{session.Id}/shares/{link.Id}", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        string text = "";
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            text = await ScrapeAsync(anonymous);
            return Sum(text, "sortie_revocation_close_seconds_count", "") >= 1;
        }), text);
        Assert.True(Sum(text, "sortie_revocations_total", "") >= 1, text);
        Assert.True(Sum(text, "sortie_joins_total", "result=\"joined\"") >= 1, text);
        Assert.True(Sum(text, "sortie_joins_total", "result=\"refused\"") >= 1, text);
        Assert.True(Sum(text, "sortie_login_failures_total", "") >= 1, text);
        Assert.True(Sum(text, "sortie_sessions", "state=\"running\"") >= 1, text);
        Assert.Contains("state=\"terminated\"", text);
        Assert.Contains("sortie_revocation_close_seconds_bucket", text);
        Assert.True(Sum(text, "http_server_request_duration_seconds_count", "") >= 1, text);
        Assert.DoesNotContain(session.Id.ToString(), text);
        Assert.DoesNotContain(guest.User.Username, text);
    }

    internal static async Task<string> ScrapeAsync(ApiClient client)
    {
        using var response = await client.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sum of the samples of <paramref name="metric"/> whose labels contain <paramref name="label"/>.</summary>
    internal static double Sum(string text, string metric, string label) => text.Split('\n')
        .Where(line => (line.StartsWith(metric + "{") || line.StartsWith(metric + " ")) && line.Contains(label))
        .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    /// <summary>With SORTIE_METRICS_TOKEN set, /metrics asks for it.</summary>
    [Fact]
    public async Task Metrics_need_the_token_when_one_is_set()
    {
        const string token = "scrape-token-for-tests";
        await using var server = await ServerProcess.StartAsync(_dataDir, new Dictionary<string, string> { ["SORTIE_METRICS_TOKEN"] = token });
        using var anonymous = new ApiClient(new HttpClient { BaseAddress = server.BaseUri }, null);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(anonymous, null));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(anonymous, "wrong-token"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(anonymous, token + "x"));
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(anonymous, token));
    }

    private static async Task<HttpStatusCode> StatusWithAsync(ApiClient client, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.Http.SendAsync(request);
        return response.StatusCode;
    }
}

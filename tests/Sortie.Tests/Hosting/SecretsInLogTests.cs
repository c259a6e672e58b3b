using System.Net.Http.Headers;
using Npgsql;
using Sortie.Auth;
using Sortie.Data;
using Sortie.Platform;

namespace Sortie.Tests.Hosting;

/// <summary>
/// No secret reaches the log: a real server process, with its shipped logging settings, goes through logins (right and
/// wrong), a token refresh, a share link visited logged out and joined, and a viewer connecting; its whole console
/// output is then searched for every secret it was given or gave out.
/// </summary>
public sealed class SecretsInLogTests : IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("sortie-log-").FullName;
    private ServerProcess _server = null!;

    public async ValueTask InitializeAsync() => _server = await ServerProcess.StartAsync(_dataDir,
        new Dictionary<string, string> { ["SORTIE_STOP_SESSIONS_ON_EXIT"] = "true" });

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Passwords_tokens_and_link_tokens_never_reach_the_log()
    {
        using var admin = await _server.AdminAsync();
        using var owner = await admin.NewUserAsync(UserRole.User, "log-owner");
        using var guest = await admin.NewUserAsync(UserRole.User, "log-guest");
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _server.BaseUri };

        using (var wrong = await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("log-guest", "wrong-password-3141"), SortieJson.Options, TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using var refreshed = await anonymous.PostAsJsonAsync("/api/auth/refresh", new RefreshRequest(guest.Tokens!.RefreshToken), SortieJson.Options, TestContext.Current.CancellationToken);
        var renewed = await ApiClient.ReadAsync<TokenPair>(refreshed);

        var session = await owner.LaunchDesktopAsync(320, 240);
        var link = await owner.CreateLinkAsync(session.Id);
        var token = ApiClient.TokenOf(link.ShareUrl!);
        using (var visit = await anonymous.GetAsync(link.ShareUrl, TestContext.Current.CancellationToken)) // logged out: on to the login page, and back
            Assert.True(visit.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.OK, $"{visit.StatusCode}");
        guest.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", renewed.AccessToken);
        using (var joined = await guest.JoinAsync(link.ShareUrl!))
            Assert.Equal(HttpStatusCode.OK, joined.StatusCode);
        await using (await owner.ViewAsync(session.Id)) { }

        var log = await _server.ReadLogAsync();
        Assert.Contains("log-guest", log); // the failed login is logged, by name
        // Each line written while a request is served names the request by its trace id and route, never its path.
        Assert.Matches(@"=> TraceId:\S+ Route:POST /api/auth/login\s+Failed login for log-guest", log);
        var secrets = new Dictionary<string, string>
        {
            ["the admin's password"] = SortieServer.AdminPassword,
            ["a user's password"] = "log-owner-password",
            ["a wrong password"] = "wrong-password-3141",
            ["an access token"] = owner.Tokens!.AccessToken,
            ["a refresh token (spent)"] = guest.Tokens.RefreshToken,
            ["a refresh token"] = renewed.RefreshToken,
            ["a share link's token"] = token,
        };
        if (PostgresServer.Selected)
            secrets["the database password"] = new NpgsqlConnectionStringBuilder(await PostgresServer.DatabaseForAsync(_dataDir)).Password!;
        foreach (var (what, secret) in secrets)
            Assert.False(log.Contains(secret, StringComparison.Ordinal), $"{what} is in the log");
    }
}

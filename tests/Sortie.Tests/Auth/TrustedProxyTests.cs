using Sortie.Auth;
using Sortie.Platform;

namespace Sortie.Tests.Auth;

/// <summary>Logins through a reverse proxy the server trusts (the tests' loopback): each client counts on its own.</summary>
public sealed class TrustedProxyTests(TrustedProxyTests.Server server) : IClassFixture<TrustedProxyTests.Server>
{
    public sealed class Server : SortieServer
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("SORTIE_TRUSTED_PROXIES", "127.0.0.1/32")];
    }

    /// <summary>A login as the proxy passes it on for the client at <paramref name="client"/>.</summary>
    internal static async Task<HttpResponseMessage> LogInViaProxyAsync(SortieServer server, string username, string password, string client)
    {
        using var anon = server.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
        {
            Content = JsonContent.Create(new LoginRequest(username, password), options: SortieJson.Options),
        };
        request.Headers.Add("X-Forwarded-For", client);
        return await anon.Http.SendAsync(request);
    }

    /// <summary>
    /// <paramref name="count"/> failed logins as unknown names, a few at once (as a spray comes; each costs the server a
    /// full password check), and all of them over before this returns.
    /// </summary>
    internal static async Task SprayAsync(SortieServer server, int count, Func<int, string> name, Func<int, string> client)
    {
        using var turns = new SemaphoreSlim(4);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await turns.WaitAsync(TestContext.Current.CancellationToken);
            try { (await LogInViaProxyAsync(server, name(i), "wrong-password", client(i))).Dispose(); }
            finally { turns.Release(); }
        }));
    }

    [Fact]
    public async Task Failures_of_one_client_under_many_names_lock_out_no_other_client_of_the_proxy()
    {
        using var user = await server.NewUserAsync();
        await SprayAsync(server, LoginThrottle.FreeFailuresPerAddress + 5, i => $"nobody{i}", i => "198.51.100.7");

        var other = await LogInViaProxyAsync(server, user.User.Username, $"{user.User.Username}-password", "198.51.100.8");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        await ProblemAssert.IsProblemAsync(
            await LogInViaProxyAsync(server, "newcomer", "wrong-password", "198.51.100.7"), HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Behind_one_nat_a_spray_does_not_lock_out_those_who_logged_in_from_there_before()
    {
        using var user = await server.NewUserAsync();
        const string office = "198.51.100.9";
        var password = $"{user.User.Username}-password";
        Assert.Equal(HttpStatusCode.OK, (await LogInViaProxyAsync(server, user.User.Username, password, office)).StatusCode);
        await SprayAsync(server, LoginThrottle.FreeFailuresPerAddress + 5, i => $"sprayed{i}", i => office);

        Assert.Equal(HttpStatusCode.OK, (await LogInViaProxyAsync(server, user.User.Username, password, office)).StatusCode);
        await ProblemAssert.IsProblemAsync(
            await LogInViaProxyAsync(server, "stranger", "wrong-password", office), HttpStatusCode.TooManyRequests);
    }
}

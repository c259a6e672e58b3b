using Sortie.Auth;

namespace Sortie.Tests.Auth;

/// <summary>X-Forwarded-For from a peer that is not a trusted proxy counts for nothing: the peer's own address counts.</summary>
public sealed class UntrustedProxyTests(UntrustedProxyTests.Server server) : IClassFixture<UntrustedProxyTests.Server>
{
    public sealed class Server : SortieServer
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("SORTIE_TRUSTED_PROXIES", "10.9.9.9")];
    }

    [Fact]
    public async Task A_client_cannot_pose_as_many_by_sending_forwarded_headers()
    {
        await TrustedProxyTests.SprayAsync(server, LoginThrottle.FreeFailuresPerAddress, i => $"nobody{i}", i => $"203.0.113.{i + 1}");

        await ProblemAssert.IsProblemAsync(await TrustedProxyTests.LogInViaProxyAsync(server, "newcomer", "wrong-password", "198.51.100.1"),
            HttpStatusCode.TooManyRequests);
    }
}

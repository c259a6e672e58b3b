using Sortie.Apps;
using Sortie.Data;
using Sortie.Sessions;

namespace Sortie.Tests.Runners;

/// <summary>Which TLS certificate an RDP app's remote desktop may present: the one trusted first, or any (ignore).</summary>
public sealed class RdpCertificateTests(SortieServer server) : IClassFixture<SortieServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private async Task<AppDto> AppAsync(Guid id)
    {
        using var admin = await server.AdminAsync();
        return (await admin.GetAsync<List<AppDto>>("/api/apps")).Single(a => a.Id == id);
    }

    [Fact]
    public async Task The_first_certificate_seen_is_trusted_and_recorded()
    {
        await using var remote = await RdpServer.StartAsync(640, 480);
        var app = await RdpApps.AddAsync(server, new RdpSettings("127.0.0.1", remote.Port));
        Assert.Null(app.Rdp!.CertificateFingerprint);
        using var user = await server.NewUserAsync();

        var session = await user.LaunchAsync(app.Name, 640, 480);

        Assert.Equal(remote.CertificateFingerprint, (await AppAsync(app.Id)).Rdp!.CertificateFingerprint);
        await using var view = await user.ViewAsync(session.Id);
        await view.WaitForPictureAsync(f => RdpApps.MostlyColour(f, RdpServer.Colour), Timeout, TestContext.Current.CancellationToken);
        await user.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_remote_desktop_presenting_another_certificate_is_refused_with_the_reason()
    {
        await using var remote = await RdpServer.StartAsync(640, 480);
        var trusted = string.Join(':', Enumerable.Repeat("ab", 32));
        var app = await RdpApps.AddAsync(server, new RdpSettings("127.0.0.1", remote.Port, CertificateFingerprint: trusted));
        using var user = await server.NewUserAsync();
        var created = await ApiClient.ReadAsync<SessionDto>(await user.PostAsync("/api/sessions", new CreateSessionRequest(app.Id)));

        var failed = await user.WaitForStatusAsync(created.Id, SessionStatus.Failed, Timeout);

        Assert.Contains("presented a certificate other than the one trusted", failed.Reason);
        Assert.Contains(remote.CertificateFingerprint, failed.Reason);
        Assert.Equal(trusted, (await AppAsync(app.Id)).Rdp!.CertificateFingerprint); // still the trusted one
    }

    [Fact]
    public async Task With_the_ignore_policy_any_certificate_is_accepted_and_none_recorded()
    {
        await using var remote = await RdpServer.StartAsync(640, 480);
        var app = await RdpApps.AddAsync(server, new RdpSettings("127.0.0.1", remote.Port, Certificate: RdpCertificatePolicy.Ignore));
        using var user = await server.NewUserAsync();

        var session = await user.LaunchAsync(app.Name, 640, 480);

        await using var view = await user.ViewAsync(session.Id);
        await view.WaitForPictureAsync(f => RdpApps.MostlyColour(f, RdpServer.Colour), Timeout, TestContext.Current.CancellationToken);
        Assert.Null((await AppAsync(app.Id)).Rdp!.CertificateFingerprint);
        await user.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
    }
}

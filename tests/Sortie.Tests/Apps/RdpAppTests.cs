using Sortie.Apps;
using Sortie.Data;
using Sortie.Platform;

namespace Sortie.Tests.Apps;

/// <summary>Defining RDP and web-proxy apps through the API: what each needs, and what no one is shown.</summary>
public sealed class RdpAppTests(SortieServer server) : IClassFixture<SortieServer>
{
    private static int _apps;

    private static string NewName() => $"lab-{Interlocked.Increment(ref _apps)}";

    private static AppRequest Rdp(RdpSettings? rdp, string? command = null) =>
        new(NewName(), LaunchType.Container, StreamProtocol.Rdp, Command: command, Rdp: rdp);

    private async Task<AppDto> CreateAsync(AppRequest request)
    {
        using var admin = await server.AdminAsync();
        return await ApiClient.ReadAsync<AppDto>(await admin.PostAsync("/api/apps", request));
    }

    private async Task<AppDto> ReplaceAsync(Guid id, AppRequest request)
    {
        using var admin = await server.AdminAsync();
        return await ApiClient.ReadAsync<AppDto>(await admin.Http.PutAsJsonAsync($"/api/apps/{id}", request, SortieJson.Options));
    }

    [Fact]
    public async Task An_rdp_app_gets_the_default_port_security_and_certificate_policy()
    {
        var app = await CreateAsync(Rdp(new RdpSettings("rdp.lab.example", SecretRef: "rdp-lab")));

        Assert.Equal(new RdpSettings("rdp.lab.example", 3389, RdpSecurity.Any, RdpCertificatePolicy.Tofu, null, "rdp-lab"), app.Rdp);
        Assert.Null(app.Command);
    }

    [Fact]
    public async Task An_rdp_app_needs_a_remote_desktop_and_has_no_command()
    {
        using var admin = await server.AdminAsync();
        Assert.Contains("rdp.host", await ProblemAssert.IsProblemAsync(
            await admin.PostAsync("/api/apps", Rdp(null)), HttpStatusCode.BadRequest));
        Assert.Contains("no command", await ProblemAssert.IsProblemAsync(
            await admin.PostAsync("/api/apps", Rdp(new RdpSettings("10.0.0.5"), command: "exec xterm")), HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Only_rdp_apps_have_rdp_settings()
    {
        using var admin = await server.AdminAsync();
        var rdp = new RdpSettings("10.0.0.5");
        await ProblemAssert.IsProblemAsync(await admin.PostAsync("/api/apps",
            new AppRequest(NewName(), LaunchType.Container, StreamProtocol.Vnc, Command: "exec xterm", Rdp: rdp)), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await admin.PostAsync("/api/apps",
            new AppRequest(NewName(), LaunchType.WebProxy, Url: "https://wiki.example/", Rdp: rdp)), HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("""{"host": "not a host"}""", "rdp.host")]
    [InlineData("""{"host": "10.0.0.5", "port": 0}""", "rdp.port")]
    [InlineData("""{"host": "10.0.0.5", "port": 70000}""", "rdp.port")]
    [InlineData("""{"host": "10.0.0.5", "secret_ref": "../../keys/jwt-signing"}""", "rdp.secret_ref")]
    [InlineData("""{"host": "10.0.0.5", "secret_ref": "Upper"}""", "rdp.secret_ref")]
    [InlineData("""{"host": "10.0.0.5", "certificate_fingerprint": "abc"}""", "rdp.certificate_fingerprint")]
    [InlineData("""{"host": "10.0.0.5", "certificate": "ignore", "certificate_fingerprint": "sha256:ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB"}""", "'tofu'")]
    [InlineData("""{"host": "10.0.0.5", "security": "rdp", "certificate_fingerprint": "abababababababababababababababababababababababababababababababab"}""", "no TLS certificate")]
    [InlineData("""{"host": "10.0.0.5", "security": "ssl"}""", "")]
    [InlineData("""{"host": "10.0.0.5", "password": "hunter2"}""", "")]
    public async Task Bad_rdp_settings_are_refused_with_the_reason(string rdp, string reason)
    {
        using var admin = await server.AdminAsync();
        var body = $$"""{"name": "{{NewName()}}", "launch_type": "container", "protocol": "rdp", "rdp": {{rdp}}}""";

        var detail = await ProblemAssert.IsProblemAsync(await admin.Http.PostAsync("/api/apps",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken), HttpStatusCode.BadRequest);

        Assert.Contains(reason, detail);
    }

    [Fact]
    public async Task A_pinned_fingerprint_is_stored_as_xfreerdp_writes_it()
    {
        var app = await CreateAsync(Rdp(new RdpSettings("10.0.0.5", CertificateFingerprint: "SHA256:" + string.Concat(Enumerable.Repeat("AB", 32)))));

        Assert.Equal(string.Join(':', Enumerable.Repeat("ab", 32)), app.Rdp!.CertificateFingerprint);
    }

    [Fact]
    public async Task The_trusted_certificate_stays_while_the_app_names_the_same_remote_desktop()
    {
        var pinned = string.Join(':', Enumerable.Repeat("cd", 32));
        var app = await CreateAsync(Rdp(new RdpSettings("10.0.0.5", CertificateFingerprint: pinned)));

        var renamed = await ReplaceAsync(app.Id, new AppRequest(app.Name, LaunchType.Container, StreamProtocol.Rdp,
            Description: "The lab machine", Rdp: new RdpSettings("10.0.0.5")));
        Assert.Equal(pinned, renamed.Rdp!.CertificateFingerprint);

        var moved = await ReplaceAsync(app.Id, new AppRequest(app.Name, LaunchType.Container, StreamProtocol.Rdp,
            Rdp: new RdpSettings("10.0.0.5", 3390)));
        Assert.Null(moved.Rdp!.CertificateFingerprint);
    }

    [Fact]
    public async Task Users_are_not_shown_where_an_rdp_app_connects()
    {
        var app = await CreateAsync(Rdp(new RdpSettings("10.0.0.5", SecretRef: "rdp-lab")));
        using var user = await server.NewUserAsync();

        var seen = await user.AppAsync(app.Name);

        Assert.Equal(StreamProtocol.Rdp, seen.Protocol);
        Assert.Null(seen.Rdp);
    }

    [Fact]
    public async Task A_secrets_credentials_are_never_returned_by_the_api()
    {
        const string password = "do-not-show-me-7";
        Runners.RdpApps.WriteSecret(server, "rdp-hidden", "alice", password);
        var app = await CreateAsync(Rdp(new RdpSettings("10.0.0.5", SecretRef: "rdp-hidden")));
        using var admin = await server.AdminAsync();
        using var user = await server.NewUserAsync();

        foreach (var client in new[] { admin, user })
        {
            var body = await client.Http.GetStringAsync("/api/apps", TestContext.Current.CancellationToken);
            Assert.DoesNotContain(password, body);
            Assert.DoesNotContain("alice", body);
        }
        Assert.Equal("rdp-hidden", (await admin.AppAsync(app.Name)).Rdp!.SecretRef);
    }

    [Fact]
    public async Task A_web_proxy_app_names_an_http_address_or_a_page_of_the_portal()
    {
        using var admin = await server.AdminAsync();
        await CreateAsync(new AppRequest(NewName(), LaunchType.WebProxy, Url: "https://wiki.example/start"));
        await CreateAsync(new AppRequest(NewName(), LaunchType.WebProxy, Url: "/scalar/"));

        foreach (var url in new[] { "ftp://files.example/", "wiki.example", "https://bob:secret@wiki.example/" })
            await ProblemAssert.IsProblemAsync(await admin.PostAsync("/api/apps",
                new AppRequest(NewName(), LaunchType.WebProxy, Url: url)), HttpStatusCode.BadRequest);
    }
}

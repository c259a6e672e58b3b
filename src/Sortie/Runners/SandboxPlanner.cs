using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Sortie.Platform;
using Sortie.Data;

namespace Sortie.Runners;

/// <summary>
/// Turns a session's program into what runs in its sandbox. For RDP it also checks the target first (reachable,
/// the security it accepts, its certificate) so that a session that cannot work fails with the reason.
/// </summary>
public sealed class SandboxPlanner(LocalRunnerOptions runner, SecretStore secrets, IDbContextFactory<SortieDb> dbs,
    IServer server, ILogger<SandboxPlanner> log)
{
    /// <summary>Where xfreerdp finds the remote desktop, on the sandbox's own loopback.</summary>
    public const int RdpLocalPort = 3389;

    /// <summary>Where the browser finds the web app (its host name is mapped there), on the sandbox's own loopback.</summary>
    public const int WebLocalPort = 8080;

    public async Task<SandboxPlan> PlanAsync(SessionLaunch launch, CancellationToken ct) => launch.Program switch
    {
        DesktopProgram desktop => new SandboxPlan(ProgramKind.Desktop, desktop.Command),
        RdpProgram rdp => await RdpAsync(rdp, ct),
        BrowserProgram browser => Browser(browser, launch),
        _ => throw new RunnerException("This kind of app cannot run on this server."),
    };

    private async Task<SandboxPlan> RdpAsync(RdpProgram rdp, CancellationToken ct)
    {
        Require(runner.Xfreerdp, "xfreerdp (Debian package freerdp2-x11)");
        Require(runner.Socat, "socat");
        RdpCredentials? credentials = null;
        if (rdp.SecretRef is { } name)
        {
            try { credentials = secrets.Read(name); }
            catch (SecretException e)
            {
                log.LogWarning("RDP app {AppId} cannot launch: {Problem}", rdp.AppId, e.Message);
                throw new RunnerException($"The app's credentials are not available: an admin must set up the secret '{name}'.");
            }
        }
        var probe = await RdpProbe.ProbeAsync(rdp.Host, rdp.Port, rdp.Security, ct);

        List<string> args =
        [
            // Address and account: a file the sandbox's user alone can read, rather than the command line.
            "/run/sortie/connection.rdp",
            // Full screen on the session's display: its size is the session's, and the viewer sees only the remote desktop.
            "/f", "-toggle-fullscreen",
            await CertificateOptionAsync(rdp, probe, ct),
            // No local drive, printer, smart card or audio device is offered to the remote side (none is by default;
            // said here so that a changed default cannot open one). The clipboard stays: the gateway decides who may use it.
            "-drives", "-home-drive", "/audio-mode:2",
            "/log-level:WARN",
        ];
        if (rdp.Security != RdpSecurity.Any) args.Add($"/sec:{rdp.Security.ToString().ToLowerInvariant()}");
        if (credentials is not null) args.Add("/from-stdin:force"); // the password, on standard input

        var connection = $"full address:s:127.0.0.1:{RdpLocalPort}\n";
        if (credentials is not null)
        {
            connection += $"username:s:{credentials.Username}\n";
            if (credentials.Domain is { Length: > 0 } domain) connection += $"domain:s:{domain}\n";
        }
        return new SandboxPlan(ProgramKind.Rdp, $"exec {Quote(runner.Xfreerdp)} {string.Join(' ', args.Select(Quote))}")
        {
            Egress = new Egress(rdp.Host, rdp.Port, RdpLocalPort),
            Files = new Dictionary<string, string> { ["connection.rdp"] = connection },
            Input = credentials is null ? null : credentials.Password + "\n",
        };
    }

    /// <summary>
    /// The certificate xfreerdp may accept. Under tofu it is exactly one, by fingerprint, with everything else denied
    /// (<c>/cert:deny</c>: FreeRDP 2 would otherwise fall back to asking, or to its own known-hosts file, which lives
    /// and dies with the session's home and so would trust anything).
    /// </summary>
    private async Task<string> CertificateOptionAsync(RdpProgram rdp, RdpProbeResult probe, CancellationToken ct)
    {
        if (rdp.Certificate == RdpCertificatePolicy.Ignore) return "/cert:ignore";
        var trusted = rdp.PinnedFingerprint;
        var target = $"{rdp.Host}:{rdp.Port}";
        if (probe.Selected != RdpProtocol.Rdp)
        {
            if (probe.CertificateFingerprint is { } seen)
            {
                trusted ??= await TrustOnFirstUseAsync(rdp, seen, ct);
                if (trusted != seen)
                    throw new RunnerException($"The remote desktop at {target} presented a certificate other than the one trusted for this app " +
                        $"(SHA-256 {seen}, trusted {trusted}). If it was replaced on purpose, an admin sets the app's certificate_fingerprint to the new one.");
            }
            else if (trusted is null)
            {
                throw new RunnerException($"The certificate of the remote desktop at {target} could not be read, so it cannot be trusted on first use. " +
                    "An admin can pin it (certificate_fingerprint) or set the app's certificate policy to 'ignore'.");
            }
        }
        // Legacy RDP security has no TLS certificate; deny still refuses any certificate if TLS turns up after all.
        return trusted is null ? "/cert:deny" : $"/cert:deny,fingerprint:sha256:{trusted}";
    }

    /// <summary>Records the first certificate seen. When two first launches race, one records and the other compares with it.</summary>
    private async Task<string> TrustOnFirstUseAsync(RdpProgram rdp, string seen, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var recorded = await db.Apps
            .Where(a => a.Id == rdp.AppId && a.RdpCertificateFingerprint == null && a.RdpHost == rdp.Host && a.RdpPort == rdp.Port)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.RdpCertificateFingerprint, seen), ct);
        if (recorded > 0)
        {
            log.LogInformation("RDP app {AppId}: trusting the certificate of {Host}:{Port} on first use (SHA-256 {Fingerprint})",
                rdp.AppId, rdp.Host, rdp.Port, seen);
            return seen;
        }
        return await db.Apps.Where(a => a.Id == rdp.AppId).Select(a => a.RdpCertificateFingerprint).SingleOrDefaultAsync(ct) ?? seen;
    }

    private SandboxPlan Browser(BrowserProgram browser, SessionLaunch launch)
    {
        Require(runner.Chromium, "chromium");
        Require(runner.Socat, "socat");
        var url = browser.Url.StartsWith('/') ? new Uri(PortalAddress(), browser.Url) : new Uri(browser.Url);
        string[] args =
        [
            "--kiosk", "--no-first-run", "--no-default-browser-check", "--noerrdialogs", "--disable-session-crashed-bubble",
            "--user-data-dir=/home/sortie/.chromium", "--password-store=basic",
            $"--window-position=0,0", $"--window-size={launch.Width},{launch.Height}",
            // bwrap is the sandbox: Chromium's own needs a user namespace, which the sandbox's seccomp filter refuses
            // (a nested user namespace is the door to most kernel attacks), so Chromium's renderers share the
            // sandbox of the one session they can harm. No GPU in Xvnc, and /dev/shm is small in the sandbox.
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            // The one allowed host:port resolves to the forwarder on the sandbox's loopback; every other name fails,
            // since the sandbox has no other network. The address (and so the Host header and TLS name) stays the real one.
            $"--host-resolver-rules=MAP {url.Host}:{url.Port} 127.0.0.1:{WebLocalPort}",
            // Nothing to call home to.
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-features=Translate,MediaRouter",
            url.AbsoluteUri,
        ];
        return new SandboxPlan(ProgramKind.Browser, $"exec {Quote(runner.Chromium)} {string.Join(' ', args.Select(Quote))}")
        {
            Egress = new Egress(url.IdnHost.Trim('[', ']'), url.Port, WebLocalPort),
            ChromiumPolicy = KioskPolicy,
        };
    }

    /// <summary>
    /// The kiosk stays on the web: no local files (file://, the file chooser, downloads), no browser internals
    /// (chrome://, devtools, view-source), no extensions. The sandbox holds little to read, but the host's /usr and
    /// /etc are visible in it read-only, and a web app's user has no business browsing them.
    /// </summary>
    private static readonly string KioskPolicy = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["URLBlocklist"] = new[] { "file://*", "chrome://*", "chrome-untrusted://*", "chrome-extension://*", "devtools://*", "view-source:*" },
        ["AllowFileSelectionDialogs"] = false,
        ["DownloadRestrictions"] = 3, // block all downloads
        ["DeveloperToolsAvailability"] = 2, // disallowed
        ["ExtensionInstallBlocklist"] = new[] { "*" },
        ["BrowserSignin"] = 0,
        ["PasswordManagerEnabled"] = false,
    });

    /// <summary>
    /// The portal's own address as seen from this machine: its first http address (else https), on loopback when it
    /// listens on every interface.
    /// </summary>
    private Uri PortalAddress()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.OrderBy(a => a.StartsWith("http://", StringComparison.Ordinal) ? 0 : 1).FirstOrDefault()
            ?? throw new RunnerException("The portal does not know its own address yet.");
        var uri = new UriBuilder(address.Replace("://+", "://0.0.0.0").Replace("://*", "://0.0.0.0"));
        uri.Host = uri.Host switch
        {
            "0.0.0.0" or "localhost" => "127.0.0.1",
            "[::]" or "::" => "[::1]",
            var host => host,
        };
        return uri.Uri;
    }

    private static void Require(string program, string what)
    {
        if (!File.Exists(program)) throw new RunnerException($"This server cannot run this app: {what} is not installed (run ./run.sh to install it).");
    }

    /// <summary>One word for bash, whatever it holds.</summary>
    private static string Quote(string word) => "'" + word.Replace("'", "'\\''") + "'";
}

using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Sortie.Access;
using Sortie.Data;
using Sortie.Platform;

namespace Sortie.Apps;

/// <summary>The catalog of launchable apps: everyone reads it, admins change it.</summary>
public sealed partial class AppCatalog(IDbContextFactory<SortieDb> dbs, TimeProvider clock)
{
    public async Task<IReadOnlyList<AppDto>> ListAsync(Caller caller, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var apps = await db.Apps.AsNoTracking().OrderBy(a => a.Name).ToListAsync(ct);
        return apps.Select(a => AppDto.From(a, caller.IsAdmin)).ToList();
    }

    public async Task<AppDto> CreateAsync(AppRequest request, CancellationToken ct)
    {
        var app = new App { Name = "", CreatedAt = clock.GetUtcNow().UtcDateTime };
        Apply(request, app);
        await using var db = await dbs.CreateDbContextAsync(ct);
        await EnsureNameFreeAsync(db, app.Name, null, ct);
        db.Apps.Add(app);
        await db.SaveChangesAsync(ct);
        return AppDto.From(app, forAdmin: true);
    }

    public async Task<AppDto> UpdateAsync(Guid id, AppRequest request, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var app = await db.Apps.SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw NoSuchApp();
        Apply(request, app);
        await EnsureNameFreeAsync(db, app.Name, id, ct);
        await db.SaveChangesOrAsync(NoSuchApp(), ct);
        return AppDto.From(app, forAdmin: true);
    }

    /// <summary>Removes an app and its ended sessions; refused while one of its sessions is live.</summary>
    public async Task DeleteAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var app = await db.Apps.SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw NoSuchApp();
        if (await db.Sessions.AnyAsync(s => s.AppId == id && (s.Status == SessionStatus.Creating || s.Status == SessionStatus.Running), ct))
            throw ApiProblem.Conflict($"'{app.Name}' has live sessions; end them before deleting the app.");
        db.Apps.Remove(app);
        await db.SaveChangesOrAsync(NoSuchApp(), ct);
    }

    private static ApiProblem NoSuchApp() => ApiProblem.NotFound("There is no app with this id.");

    /// <summary>Validates a request and copies it onto the app: each launch type needs its own fields.</summary>
    private static void Apply(AppRequest r, App app)
    {
        var name = r.Name?.Trim() ?? "";
        if (!AppName().IsMatch(name))
            throw ApiProblem.BadRequest("The name must be 1 to 64 letters, digits, spaces, dots, dashes or underscores.");
        RdpSettings? rdp = null;
        switch (r.LaunchType)
        {
            case LaunchType.Container:
                if (r.Protocol is null) throw ApiProblem.BadRequest("A container app needs a protocol: vnc or rdp.");
                if (r.Url is not null) throw ApiProblem.BadRequest("A container app has no url.");
                if (r.Protocol == StreamProtocol.Vnc)
                {
                    if (string.IsNullOrWhiteSpace(r.Command))
                        throw ApiProblem.BadRequest("A VNC container app needs the command that runs on its desktop.");
                    if (r.Rdp is not null) throw ApiProblem.BadRequest("Only RDP apps (protocol rdp) have rdp settings.");
                }
                else
                {
                    if (r.Command is not null)
                        throw ApiProblem.BadRequest("An RDP app has no command: its session runs an RDP client to the remote desktop named in rdp.");
                    rdp = ValidRdp(r.Rdp ?? throw ApiProblem.BadRequest("An RDP app needs its remote desktop: rdp.host at least."));
                }
                break;
            case LaunchType.WebProxy or LaunchType.Url:
                // Either may name a page of this portal ("/scalar/"): a url app's link opens it, a web-proxy app's
                // browser reaches the portal itself.
                var sitePath = r.Url is ['/', not '/', ..];
                Uri? uri = null;
                if (!sitePath && !(Uri.TryCreate(r.Url, UriKind.Absolute, out uri) && uri.Scheme is "http" or "https"))
                    throw ApiProblem.BadRequest(r.LaunchType == LaunchType.Url
                        ? "A url app needs an http or https address, or a path on this portal such as /scalar."
                        : "A web-proxy app needs an http or https address, or a path on this portal such as /scalar/.");
                if (r.LaunchType == LaunchType.WebProxy && uri is { UserInfo.Length: > 0 })
                    throw ApiProblem.BadRequest("A web-proxy app's url cannot hold a user name or password.");
                if (r.Protocol is not null || r.Command is not null)
                    throw ApiProblem.BadRequest("Only container apps have a protocol or a command.");
                if (r.Rdp is not null) throw ApiProblem.BadRequest("Only RDP apps (container, protocol rdp) have rdp settings.");
                break;
            default:
                throw ApiProblem.BadRequest("The launch_type must be container, web_proxy or url.");
        }
        if (r.LaunchType == LaunchType.Url && (r.CpuLimit is not null || r.MemoryLimit is not null))
            throw ApiProblem.BadRequest("A url app runs no session: it has no cpu_limit or memory_limit.");
        if (r.LaunchType == LaunchType.Url && r.Recording is not (null or RecordingPolicy.Off))
            throw ApiProblem.BadRequest("A url app runs no session: it has nothing to record.");
        if (r.CpuLimit is { } cpu && !(cpu is >= 0.1 and <= 256))
            throw ApiProblem.BadRequest("cpu_limit is a number of CPU cores from 0.1 to 256 (e.g. 1 or 1.5).");
        if (r.MemoryLimit is < 64 or > 4_194_304)
            throw ApiProblem.BadRequest("memory_limit is the memory of each session in MiB, from 64 to 4194304 (e.g. 2048 for 2 GiB).");
        // A certificate trusted on first use stays trusted while the app names the same remote desktop, even when a
        // PUT leaves the field out; another host or port starts over, and an admin may always pin one explicitly.
        var keepTrusted = rdp is { CertificateFingerprint: null, Certificate: RdpCertificatePolicy.Tofu }
            && app.RdpHost == rdp.Host && app.RdpPort == rdp.Port;
        app.Name = name;
        app.LaunchType = r.LaunchType;
        app.Protocol = r.Protocol;
        app.Description = r.Description?.Trim() ?? "";
        app.Icon = r.Icon?.Trim() ?? "";
        app.Command = r.Command;
        app.Url = r.Url;
        app.RdpHost = rdp?.Host;
        app.RdpPort = rdp?.Port;
        app.RdpSecurity = rdp?.Security;
        app.RdpCertificate = rdp?.Certificate;
        app.RdpCertificateFingerprint = keepTrusted ? app.RdpCertificateFingerprint : rdp?.CertificateFingerprint;
        app.RdpSecretRef = rdp?.SecretRef;
        app.CpuLimit = r.CpuLimit;
        app.MemoryLimitMb = r.MemoryLimit;
        app.Recording = r.Recording ?? RecordingPolicy.Off;
    }

    /// <summary>An RDP target as stored: checked, with its defaults filled in.</summary>
    private static RdpSettings ValidRdp(RdpSettings r)
    {
        var host = r.Host?.Trim() ?? "";
        if (host is ['[', .., ']']) host = host[1..^1];
        if (host.Length is 0 or > 253 || Uri.CheckHostName(host) is not (UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6))
            throw ApiProblem.BadRequest("rdp.host must be a host name or an IP address.");
        var port = r.Port ?? Runners.RdpProgram.DefaultPort;
        if (port is < 1 or > 65535) throw ApiProblem.BadRequest("rdp.port must be from 1 to 65535.");
        var security = r.Security ?? RdpSecurity.Any;
        var certificate = r.Certificate ?? RdpCertificatePolicy.Tofu;
        string? fingerprint = null;
        if (r.CertificateFingerprint is { } given)
        {
            var hex = given.Trim().ToLowerInvariant();
            if (hex.StartsWith("sha256:", StringComparison.Ordinal)) hex = hex["sha256:".Length..];
            hex = hex.Replace(":", "").Replace(" ", "");
            if (!Sha256Hex().IsMatch(hex))
                throw ApiProblem.BadRequest("rdp.certificate_fingerprint must be a SHA-256 fingerprint: 64 hex digits, pairs optionally separated by colons.");
            if (certificate == RdpCertificatePolicy.Ignore)
                throw ApiProblem.BadRequest("rdp.certificate_fingerprint pins a certificate: it needs certificate 'tofu', not 'ignore'.");
            if (security == RdpSecurity.Rdp)
                throw ApiProblem.BadRequest("Legacy 'rdp' security has no TLS certificate to pin: use 'tls', 'nla' or 'any'.");
            fingerprint = string.Join(':', hex.Chunk(2).Select(pair => new string(pair)));
        }
        if (r.SecretRef is { } secret && !SecretStore.IsValidName(secret))
            throw ApiProblem.BadRequest("rdp.secret_ref must be 1 to 64 lower-case letters, digits, dashes or underscores, starting with a letter or digit.");
        return new RdpSettings(host, port, security, certificate, fingerprint, r.SecretRef);
    }

    private static async Task EnsureNameFreeAsync(SortieDb db, string name, Guid? self, CancellationToken ct)
    {
        if (await db.Apps.AnyAsync(a => a.Name == name && a.Id != self, ct))
            throw ApiProblem.Conflict($"An app named '{name}' exists already.");
    }

    [GeneratedRegex(@"^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$")]
    private static partial Regex AppName();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();
}

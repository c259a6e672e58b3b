using Sortie.Data;

namespace Sortie.Runners;

/// <summary>What a session runs on its display. The runner decides how (the local runner: see <see cref="SandboxPlanner"/>).</summary>
public abstract record SessionProgram
{
    /// <summary>The session's program from its app; null for apps that need no session (url apps).</summary>
    public static SessionProgram? For(App app) => app switch
    {
        { LaunchType: LaunchType.Container, Protocol: StreamProtocol.Vnc, Command: { Length: > 0 } command } => new DesktopProgram(command),
        { LaunchType: LaunchType.Container, Protocol: StreamProtocol.Rdp, RdpHost: { Length: > 0 } host } => new RdpProgram(
            app.Id, host, app.RdpPort ?? RdpProgram.DefaultPort, app.RdpSecurity ?? RdpSecurity.Any,
            app.RdpCertificate ?? RdpCertificatePolicy.Tofu, app.RdpCertificateFingerprint, app.RdpSecretRef),
        { LaunchType: LaunchType.WebProxy, Url: { Length: > 0 } url } => new BrowserProgram(url),
        _ => null,
    };
}

/// <summary>A shell command (a VNC container app's), run on the session's display inside the sandbox.</summary>
public sealed record DesktopProgram(string Command) : SessionProgram;

/// <summary>
/// xfreerdp, full-screen on the session's display, connected to one remote desktop: the sandbox reaches that
/// host and port and nothing else. <paramref name="PinnedFingerprint"/> is the certificate trusted so far (tofu).
/// </summary>
public sealed record RdpProgram(Guid AppId, string Host, int Port, RdpSecurity Security, RdpCertificatePolicy Certificate,
    string? PinnedFingerprint, string? SecretRef) : SessionProgram
{
    public const int DefaultPort = 3389;
}

/// <summary>A kiosk browser on one web address; a path ("/scalar/") is a page of the portal itself.</summary>
public sealed record BrowserProgram(string Url) : SessionProgram;

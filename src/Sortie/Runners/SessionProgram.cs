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

using Sortie.Data;

namespace Sortie.Runners;

/// <summary>
/// xfreerdp, full-screen on the session's display, connected to one remote desktop: the sandbox reaches that
/// host and port and nothing else. <paramref name="PinnedFingerprint"/> is the certificate trusted so far (tofu).
/// </summary>
public sealed record RdpProgram(Guid AppId, string Host, int Port, RdpSecurity Security, RdpCertificatePolicy Certificate,
    string? PinnedFingerprint, string? SecretRef) : SessionProgram
{
    public const int DefaultPort = 3389;
}

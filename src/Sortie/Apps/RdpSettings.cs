using Sortie.Data;

namespace Sortie.Apps;

/// <summary>
/// An RDP app's remote desktop: where it is, how the connection is secured, which certificate it may present, and
/// the name of the secret holding the account (see <see cref="SecretStore"/>). Omitted fields take their defaults:
/// port 3389, security <c>any</c>, certificate <c>tofu</c>.
/// </summary>
public sealed record RdpSettings(string Host, int? Port = null, RdpSecurity? Security = null, RdpCertificatePolicy? Certificate = null,
    string? CertificateFingerprint = null, string? SecretRef = null)
{
    public static RdpSettings? From(App a) => a.RdpHost is null ? null
        : new(a.RdpHost, a.RdpPort, a.RdpSecurity, a.RdpCertificate, a.RdpCertificateFingerprint, a.RdpSecretRef);
}

namespace Sortie.Runners;

/// <summary>What an RDP server answered to a connection request: the security it chose and, with TLS, its certificate.</summary>
public sealed record RdpProbeResult(RdpProtocol Selected, string? CertificateFingerprint);

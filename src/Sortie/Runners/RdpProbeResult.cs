using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using Sortie.Data;

namespace Sortie.Runners;

/// <summary>What an RDP server answered to a connection request: the security it chose and, with TLS, its certificate.</summary>
public sealed record RdpProbeResult(RdpProtocol Selected, string? CertificateFingerprint);

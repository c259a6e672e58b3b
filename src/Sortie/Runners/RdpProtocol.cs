namespace Sortie.Runners;

/// <summary>The security layers of MS-RDPBCGR 2.2.1.1.1 (RDP_NEG_REQ's requestedProtocols).</summary>
[Flags]
public enum RdpProtocol : uint { Rdp = 0, Ssl = 1, Hybrid = 2 }

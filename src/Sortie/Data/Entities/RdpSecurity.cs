namespace Sortie.Data;

/// <summary>
/// How an RDP connection is secured. <see cref="Any"/> lets the client offer NLA, TLS and legacy RDP security and
/// the server pick; the others insist on one. <see cref="Rdp"/> is legacy RDP security: no TLS, no certificate.
/// </summary>
public enum RdpSecurity { Any, Nla, Tls, Rdp }

namespace Sortie.Data;

/// <summary>
/// Which TLS certificate an RDP app's remote desktop may present. <see cref="Tofu"/>: the first one seen (or the
/// one an admin pinned) and no other. <see cref="Ignore"/>: any, for lab machines only.
/// </summary>
public enum RdpCertificatePolicy { Tofu, Ignore }

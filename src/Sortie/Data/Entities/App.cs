namespace Sortie.Data;

public sealed class App
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public LaunchType LaunchType { get; set; }
    public StreamProtocol? Protocol { get; set; }
    public string Icon { get; set; } = "";
    /// <summary>Container apps: the shell command run inside the session's sandbox, on its display.</summary>
    public string? Command { get; set; }
    /// <summary>Url and web-proxy apps: the address they open.</summary>
    public string? Url { get; set; }
    /// <summary>RDP apps: the remote desktop's host name or address.</summary>
    public string? RdpHost { get; set; }
    public int? RdpPort { get; set; }
    public RdpSecurity? RdpSecurity { get; set; }
    public RdpCertificatePolicy? RdpCertificate { get; set; }
    /// <summary>
    /// RDP apps: the SHA-256 fingerprint (lower-case hex pairs joined by colons) of the only certificate the remote
    /// desktop may present: pinned by an admin, or recorded at the first launch under <see cref="RdpCertificatePolicy.Tofu"/>.
    /// </summary>
    public string? RdpCertificateFingerprint { get; set; }
    /// <summary>
    /// RDP apps: the name of the secret holding the credentials (a file in the data dir's secrets/ or an environment
    /// variable). The credentials themselves are never stored in the database.
    /// </summary>
    public string? RdpSecretRef { get; set; }
    /// <summary>Container and web-proxy apps: CPU cores each session may use; null: the runner's default.</summary>
    public double? CpuLimit { get; set; }
    /// <summary>Container and web-proxy apps: memory (MiB) each session may use; null: the runner's default.</summary>
    public int? MemoryLimitMb { get; set; }
    /// <summary>Container and web-proxy apps: whether their sessions are recorded (off, at the owner's wish, always).</summary>
    public RecordingPolicy Recording { get; set; }
    public DateTime CreatedAt { get; set; }
}

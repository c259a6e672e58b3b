namespace Sortie.Runners;

public sealed record LocalRunnerOptions
{
    /// <summary>Joins a sandbox's cgroup and opens its seccomp filter before the sandbox starts (as root).</summary>
    public string Shell { get; init; } = "/bin/sh";
    public string Bubblewrap { get; init; } = "/usr/bin/bwrap";
    public string Setpriv { get; init; } = "/usr/bin/setpriv";
    public string Setsid { get; init; } = "/usr/bin/setsid";
    public string Xvnc { get; init; } = "/usr/bin/Xvnc";
    /// <summary>Relays a session's one allowed TCP endpoint (RDP and web-proxy apps), outside and inside its sandbox.</summary>
    public string Socat { get; init; } = "/usr/bin/socat";
    /// <summary>RDP apps' client (Debian freerdp2-x11).</summary>
    public string Xfreerdp { get; init; } = "/usr/bin/xfreerdp";
    /// <summary>Web-proxy apps' kiosk browser.</summary>
    public string Chromium { get; init; } = "/usr/bin/chromium";
    /// <summary>When the server runs as root, each session runs as its own uid in this range (unused by any account).</summary>
    public int FirstSandboxUid { get; init; } = 2_000_000_000;
    public int SandboxUidCount { get; init; } = 100_000_000;
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(15);
}

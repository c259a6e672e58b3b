namespace Sortie.Runners;

/// <summary>How the local runner runs a program in a sandbox.</summary>
public sealed record SandboxPlan(ProgramKind Kind, string Command)
{
    public Egress? Egress { get; init; }

    /// <summary>Files the program reads in /run/sortie, written 0600 for the sandbox's user before it starts.</summary>
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// What the program reads on its standard input, then end of file. A password goes this way, so that it never
    /// sits in a file, a command line (world-readable in /proc) or an environment.
    /// </summary>
    public string? Input { get; init; }

    /// <summary>Chromium's managed policy (JSON), for a browser: mounted read-only at /etc/chromium/policies/managed/.</summary>
    public string? ChromiumPolicy { get; init; }
}

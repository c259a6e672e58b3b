namespace Sortie.Runners;

/// <summary>A shell command (a VNC container app's), run on the session's display inside the sandbox.</summary>
public sealed record DesktopProgram(string Command) : SessionProgram;

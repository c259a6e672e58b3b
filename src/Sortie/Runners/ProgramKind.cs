namespace Sortie.Runners;

/// <summary>The kinds of program a sandbox runs; it says how a session that ended by itself is explained.</summary>
public enum ProgramKind { Desktop, Rdp, Browser }

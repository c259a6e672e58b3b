using System.Diagnostics;

using Sortie.Platform;

namespace Sortie.Runners.Local;

/// <summary>A sandbox this server holds: its bwrap process, folder and uid, and what it runs under which limits.</summary>
internal sealed record RunningSandbox(Guid Id, Process Process, SessionFolder Folder, int Uid, ProgramKind Kind, SessionLimits Limits)
{
    /// <summary>Set once the server stops it, so that its end is not taken for one by itself.</summary>
    public bool Stopping { get; set; }

    /// <summary>The init of the sandbox's pid namespace (bwrap's child): killing it kills everything inside.</summary>
    public int InitPid { get; set; }

    /// <summary>That namespace: a VNC peer outside it is not this session's Xvnc.</summary>
    public string? PidNamespace { get; set; }
}

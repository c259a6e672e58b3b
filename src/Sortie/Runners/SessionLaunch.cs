using Sortie.Platform;

namespace Sortie.Runners;

/// <summary>
/// What a runner needs to start a session's desktop: the program on it, its size and its name, and what its app asks
/// of the machine (null: the runner's defaults).
/// </summary>
public sealed record SessionLaunch(Guid SessionId, SessionProgram Program, int Width, int Height, string DesktopName,
    AppLimits? Limits = null);

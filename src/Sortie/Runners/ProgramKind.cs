using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Sortie.Platform;
using Sortie.Data;

namespace Sortie.Runners;

/// <summary>The kinds of program a sandbox runs; it says how a session that ended by itself is explained.</summary>
public enum ProgramKind { Desktop, Rdp, Browser }

using Sortie.Data;

namespace Sortie.Apps;

public sealed record AppRequest(string Name, LaunchType LaunchType, StreamProtocol? Protocol = null,
    string? Description = null, string? Icon = null, string? Command = null, string? Url = null, RdpSettings? Rdp = null,
    double? CpuLimit = null, int? MemoryLimit = null, RecordingPolicy? Recording = null);

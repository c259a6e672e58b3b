using Sortie.Data;

namespace Sortie.Apps;

/// <summary>
/// An app as listed. <c>command</c> and <c>rdp</c> are shown to admins only: users need not see how or where apps
/// run. An RDP app's credentials are never shown to anyone: only the name of the secret that holds them.
/// </summary>
/// <remarks><c>cpu_limit</c> (cores) and <c>memory_limit</c> (MiB) are null where the runner's defaults hold; <c>recording</c>:
/// whether its sessions are recorded (off, optional: at the owner's wish, always).</remarks>
public sealed record AppDto(Guid Id, string Name, string Description, LaunchType LaunchType, StreamProtocol? Protocol,
    string Icon, string? Url, string? Command, RdpSettings? Rdp, double? CpuLimit = null, int? MemoryLimit = null,
    RecordingPolicy Recording = RecordingPolicy.Off)
{
    public static AppDto From(App a, bool forAdmin) =>
        new(a.Id, a.Name, a.Description, a.LaunchType, a.Protocol, a.Icon, a.Url, forAdmin ? a.Command : null,
            forAdmin ? RdpSettings.From(a) : null, a.CpuLimit, a.MemoryLimitMb, a.Recording);
}

using Sortie.Access;
using Sortie.Data;

namespace Sortie.Sessions;

/// <summary>A session as the API and the UI show it. The share fields tell a shared user how they reach it.</summary>
public sealed record SessionDto(
    Guid Id,
    Guid AppId,
    string AppName,
    string AppIcon,
    LaunchType LaunchType,
    StreamProtocol? Protocol,
    Guid OwnerId,
    string OwnerUsername,
    SessionStatus Status,
    string? Reason,
    int Width,
    int Height,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? EndedAt,
    string WebsocketUrl,
    bool IsShared,
    SharePermission? SharePermission,
    Guid? ShareId,
    RecordingPolicy RecordingPolicy)
{
    /// <summary>Whether its owner may share it now (the UI offers Share only then).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool CanBeShared => Status == SessionStatus.Running && SessionAccess.IsShareable(LaunchType);

    public static SessionDto From(Session s, SessionAccess access) => new(
        s.Id, s.AppId, s.App.Name, s.App.Icon, s.App.LaunchType, s.App.Protocol, s.OwnerId, s.Owner.Username,
        s.Status, s.EndReason, s.Width, s.Height, s.CreatedAt, s.StartedAt, s.EndedAt, $"/ws/sessions/{s.Id}",
        access.IsShared, access.IsShared ? access.Permission : null, access.ShareId, s.App.Recording);
}

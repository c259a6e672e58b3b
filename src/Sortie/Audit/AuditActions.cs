namespace Sortie.Audit;

public static class AuditActions
{
    public const string ShareCreated = "share.created";
    public const string ShareChanged = "share.changed";
    public const string ShareRevoked = "share.revoked";
    public const string ShareJoined = "share.joined";
    public const string ShareExpired = "share.expired";
    public const string ShareLeft = "share.left";
    public const string ViewerConnected = "viewer.connected";
    public const string ViewerDisconnected = "viewer.disconnected";
    public const string RecordingStarted = "recording.started";
    public const string RecordingStopped = "recording.stopped";
    public const string RecordingViewed = "recording.viewed";
    public const string RecordingDeleted = "recording.deleted";
}

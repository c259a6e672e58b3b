namespace Sortie.Viewers;

/// <summary>Why a live connection was closed by the server: the WebSocket close code and the words the UI shows.</summary>
public sealed record CloseReason(int Code, string Text)
{
    /// <summary>The codes, as constants the session page switches on (docs/architecture.md lists them).</summary>
    public static class Codes
    {
        public const int SessionEnded = 4000, AccessRevoked = 4001, PermissionChanged = 4002, ServerStopping = 4003,
            ProtocolError = 4004, DesktopResized = 4005;
    }

    public static readonly CloseReason SessionEnded = new(Codes.SessionEnded, "session ended");
    public static readonly CloseReason AccessRevoked = new(Codes.AccessRevoked, "access revoked");
    public static readonly CloseReason PermissionChanged = new(Codes.PermissionChanged, "permission changed");
    public static readonly CloseReason ServerStopping = new(Codes.ServerStopping, "server stopping");
    /// <summary>The desktop changed size and this viewer never said it could follow (the VNC server dropped it); the session runs on.</summary>
    public static readonly CloseReason DesktopResized = new(Codes.DesktopResized, "desktop resized: this viewer cannot follow a size change");

    /// <summary>The viewer sent (or the server answered) something the gateway cannot parse.</summary>
    public static CloseReason ProtocolError(string detail)
    {
        var text = $"protocol error: {detail}";
        // A close frame's reason holds at most 123 bytes of UTF-8.
        while (System.Text.Encoding.UTF8.GetByteCount(text) > 123) text = text[..^1];
        return new(Codes.ProtocolError, text);
    }
}

namespace Sortie.Events;

/// <summary>What changed, about which session. Clients re-read what they show (with their own rights), so an
/// event carries no data that needs guarding.</summary>
public sealed record PortalEvent(string Type, Guid SessionId)
{
    /// <summary>A session was created, started, failed or ended.</summary>
    public const string SessionChanged = "session.changed";
    /// <summary>A share of the session was created, changed, revoked, joined, left or expired.</summary>
    public const string SharesChanged = "shares.changed";
    /// <summary>A viewer connected to the session or left it.</summary>
    public const string ViewersChanged = "viewers.changed";
}

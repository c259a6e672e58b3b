namespace Sortie.Data;

/// <summary>
/// A viewer connected now, on whichever replica serves it (the viewer room's record of it): what the owner sees as
/// "watching now". The replica
/// holding the connection refreshes <see cref="SeenAt"/>; the rows of a replica that died go stale and are swept.
/// </summary>
public sealed class ViewerRecord
{
    public Guid Id { get; set; }
    public Guid SessionId { get; set; }
    public Guid UserId { get; set; }
    public string Username { get; set; } = "";
    public SharePermission Permission { get; set; }
    /// <summary>How the viewer came: owner, admin, share or link.</summary>
    public AccessVia Via { get; set; }
    public DateTime ConnectedAt { get; set; }
    public string Replica { get; set; } = "";
    public DateTime SeenAt { get; set; }
}

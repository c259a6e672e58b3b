namespace Sortie.Data;

/// <summary>Something that happened to a session's access: who did it, what, when and from where.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public required string Action { get; set; }
    public Guid? ActorId { get; set; }
    public string ActorName { get; set; } = "";
    public string? Address { get; set; }
    public Guid? SessionId { get; set; }
    public Guid? ShareId { get; set; }
    public string? Subject { get; set; }
    public string Detail { get; set; } = "";
}

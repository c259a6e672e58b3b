using Sortie.Data;

namespace Sortie.Audit;

public sealed record AuditEventDto(long Id, DateTime At, string Action, Guid? ActorId, string ActorName, string? Address,
    Guid? SessionId, Guid? ShareId, string? Subject, string Detail)
{
    public static AuditEventDto From(AuditEvent e) =>
        new(e.Id, e.At, e.Action, e.ActorId, e.ActorName, e.Address, e.SessionId, e.ShareId, e.Subject, e.Detail);
}

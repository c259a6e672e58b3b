using Sortie.Data;

namespace Sortie.Viewers;

/// <summary>A viewer as the session's owner sees it: who, with what permission, since when, and how they came.</summary>
public sealed record ViewerDto(Guid Id, string User, Guid UserId, SharePermission Permission, DateTime ConnectedAt, AccessVia Via)
{
    public static ViewerDto From(ViewerRecord c) => new(c.Id, c.Username, c.UserId, c.Permission, c.ConnectedAt, c.Via);
}

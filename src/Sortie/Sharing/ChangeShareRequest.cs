using Sortie.Data;

namespace Sortie.Sharing;

public sealed record ChangeShareRequest(SharePermission Permission);

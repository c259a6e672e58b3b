namespace Sortie.Sessions;

public sealed record CreateSessionRequest(Guid AppId, int? Width = null, int? Height = null);

namespace Sortie.Sharing;

public sealed record JoinRequest(string Token);

namespace Sortie.Auth;

public sealed record RefreshRequest(string RefreshToken);

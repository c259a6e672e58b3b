namespace Sortie.Auth;

public sealed record LogoutRequest(string? RefreshToken = null);

namespace Sortie.Auth;

public sealed record LoginRequest(string Username, string Password);

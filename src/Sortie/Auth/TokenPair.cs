namespace Sortie.Auth;

public sealed record TokenPair(string AccessToken, string RefreshToken, int ExpiresIn, UserDto User);

using Sortie.Platform;

namespace Sortie.Auth;

public sealed record RefreshRequest(string RefreshToken);

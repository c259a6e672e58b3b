namespace Sortie.Auth;

public sealed record ChangePasswordRequest(string CurrentPassword, string NewPassword);

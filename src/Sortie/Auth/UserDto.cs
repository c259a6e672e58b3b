using Sortie.Data;

namespace Sortie.Auth;

/// <summary>An account as the API shows it (its role written "user" or "admin").</summary>
public sealed record UserDto(Guid Id, string Username, UserRole Role)
{
    public static UserDto From(User u) => new(u.Id, u.Username, u.Role);
}

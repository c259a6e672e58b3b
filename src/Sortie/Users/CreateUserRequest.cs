using Sortie.Data;

namespace Sortie.Users;

public sealed record CreateUserRequest(string Username, string Password, UserRole Role = UserRole.User);

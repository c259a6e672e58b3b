using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Sortie.Access;
using Sortie.Data;
using Sortie.Platform;

namespace Sortie.Auth;

public sealed record TokenPair(string AccessToken, string RefreshToken, int ExpiresIn, UserDto User);

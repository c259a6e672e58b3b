using System.Security.Claims;
using Sortie.Data;
using Sortie.Platform;

namespace Sortie.Access;

/// <summary>The claims a sign-in (cookie or bearer token) carries, from which <see cref="Caller"/> is read.</summary>
public static class SortieClaims
{
    public const string UserId = "sub";
    public const string Username = "name";
    public const string Role = "role";
    /// <summary>Cookies only: the <see cref="BrowserLogin"/> the cookie stands on.</summary>
    public const string LoginId = "login";

    public static ClaimsIdentity Identity(User user, string authenticationType) => new(
        [
            new Claim(UserId, user.Id.ToString()),
            new Claim(Username, user.Username),
            new Claim(Role, SortieJson.Name(user.Role)),
        ],
        authenticationType, Username, Role);
}

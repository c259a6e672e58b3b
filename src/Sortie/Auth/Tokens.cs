using System.IdentityModel.Tokens.Jwt;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using Sortie.Data;

using Sortie.Access;

namespace Sortie.Auth;

/// <summary>Issues short-lived access tokens (JWT) and long-lived opaque refresh tokens.</summary>
public sealed class Tokens(SigningKey signingKey, TimeProvider clock)
{
    public const string Issuer = "sortie";
    public const string Audience = "sortie-api";
    public static readonly TimeSpan AccessLifetime = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan RefreshLifetime = TimeSpan.FromDays(14);

    public string CreateAccessToken(User user)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var handler = new JwtSecurityTokenHandler { OutboundClaimTypeMap = new Dictionary<string, string>() };
        return handler.CreateEncodedJwt(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = SortieClaims.Identity(user, "jwt"),
            NotBefore = now,
            IssuedAt = now,
            Expires = now + AccessLifetime,
            SigningCredentials = new SigningCredentials(signingKey.Key, SecurityAlgorithms.HmacSha256),
        });
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = signingKey.Key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        NameClaimType = SortieClaims.Username,
        RoleClaimType = SortieClaims.Role,
        ClockSkew = TimeSpan.FromSeconds(30),
    };

    /// <summary>A fresh refresh token: 256 random bits, URL-safe. Only its hash is stored.</summary>
    public static string NewOpaqueToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

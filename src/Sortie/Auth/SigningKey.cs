using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Sortie.Platform;

namespace Sortie.Auth;

/// <summary>
/// The JWT signing key: generated on first start and kept in the keys folder (mode 0600), so no secret
/// has to be configured by hand and tokens survive a restart.
/// </summary>
public sealed class SigningKey
{
    public SymmetricSecurityKey Key { get; }

    public SigningKey(SortieOptions options)
    {
        var path = Path.Combine(options.KeysDir, "jwt-signing.key");
        Key = new SymmetricSecurityKey(SecretFile.ReadOrCreate(path, () => RandomNumberGenerator.GetBytes(64)));
    }
}

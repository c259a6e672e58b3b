using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Sortie.Hosting;

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

public static class SecretFile
{
    /// <summary>Reads a secret, or creates it readable by this user alone. Creation is atomic, so two
    /// processes starting at once agree on one value.</summary>
    public static byte[] ReadOrCreate(string path, Func<byte[]> create)
    {
        if (File.Exists(path)) return File.ReadAllBytes(path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(temp, options)) file.Write(create());
        try { File.Move(temp, path, overwrite: false); }
        catch (IOException) { File.Delete(temp); } // Another process won the race: use its value.
        return File.ReadAllBytes(path);
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sortie.Platform;

/// <summary>
/// Credentials that apps refer to by name (<c>secret_ref</c>), so that the app catalog (the database, the API,
/// backups of either) never holds them. A secret named <c>rdp-lab</c> is read, at each launch, from
/// <list type="number">
/// <item>the setting <c>SORTIE_SECRET_RDP_LAB</c> (an environment variable, as every setting), or else</item>
/// <item>the file <c>&lt;data dir&gt;/secrets/rdp-lab.json</c>, which must belong to the server's user and be
/// readable by no one else (0600), as ssh insists for its keys.</item>
/// </list>
/// Either holds JSON: <c>{"username": "alice", "password": "…", "domain": "LAB"}</c> (domain optional).
/// Reading at each launch means an admin rotates a password by editing the file, with no restart.
/// </summary>
public sealed partial class SecretStore(SortieOptions options, IConfiguration config)
{
    public const string SettingPrefix = "SORTIE_SECRET_";

    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static bool IsValidName(string name) => Name().IsMatch(name);

    public string FolderPath => Path.Combine(options.DataDir, "secrets");

    public string FileOf(string name) => Path.Combine(FolderPath, name + ".json");

    public static string SettingOf(string name) => SettingPrefix + name.ToUpperInvariant().Replace('-', '_');

    /// <summary>The credentials a secret holds. Throws <see cref="SecretException"/> saying what is wrong.</summary>
    public RdpCredentials Read(string name)
    {
        if (!IsValidName(name)) throw new SecretException($"'{name}' is not a valid secret name.");
        string json, source;
        if (config[SettingOf(name)] is { Length: > 0 } value)
        {
            (json, source) = (value, SettingOf(name));
        }
        else
        {
            var file = new FileInfo(FileOf(name));
            if (!file.Exists)
                throw new SecretException($"secret '{name}' is missing: set {SettingOf(name)} or create {file.FullName} (mode 0600)");
            if ((file.UnixFileMode & GroupOrOthers) != 0 || Owner(file.FullName) != geteuid())
                throw new SecretException($"{file.FullName} must belong to the server's user and be readable by no one else (chmod 600)");
            (json, source) = (File.ReadAllText(file.FullName), file.FullName);
        }
        try
        {
            var secret = JsonSerializer.Deserialize<RdpCredentials>(json, SortieJson.Options)
                ?? throw new SecretException($"{source} holds null instead of {{\"username\": …, \"password\": …}}");
            if (string.IsNullOrWhiteSpace(secret.Username)) throw new SecretException($"{source} has an empty username");
            // Each is one line of what xfreerdp reads (its connection file, its standard input).
            if (new[] { secret.Username, secret.Password, secret.Domain ?? "" }.Any(v => v.Contains('\n') || v.Contains('\r')))
                throw new SecretException($"{source}: a username, password or domain cannot contain a line break");
            return secret;
        }
        catch (JsonException e)
        {
            // The parser's message names the field, never its value.
            throw new SecretException($"{source} is not {{\"username\": …, \"password\": …, \"domain\": …}}: {e.Message}");
        }
    }

    /// <summary>The uid owning a file (.NET reads modes but not owners): statx's stx_uid, at byte 20 of its result.</summary>
    private static uint Owner(string path)
    {
        var result = new byte[256];
        return statx(-100 /* AT_FDCWD */, path, 0, 0x8 /* STATX_UID */, result) == 0 ? BitConverter.ToUInt32(result, 20) : uint.MaxValue;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex Name();

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, string path, int flags, uint mask, byte[] result);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern uint geteuid();
}

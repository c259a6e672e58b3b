using Microsoft.Extensions.Configuration;
using Sortie.Platform;

namespace Sortie.Tests.Apps;

/// <summary>Where RDP credentials come from, and what is refused, said without revealing them.</summary>
public sealed class SecretStoreTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("sortie-secrets-").FullName;

    private SecretStore Store(params (string Key, string Value)[] settings) => new(
        new SortieOptions { DataDir = _dataDir, SessionsDir = Path.Combine(_dataDir, "sessions") },
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build());

    private string WriteFile(string name, string json, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(Directory.CreateDirectory(Path.Combine(_dataDir, "secrets")).FullName, $"{name}.json");
        File.WriteAllText(path, json);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void A_secret_is_read_from_its_file()
    {
        WriteFile("rdp-lab", """{"username": "alice", "password": "from the file", "domain": "LAB"}""");

        Assert.Equal(new RdpCredentials("alice", "from the file", "LAB"), Store().Read("rdp-lab"));
    }

    [Fact]
    public void A_setting_comes_before_the_file()
    {
        WriteFile("rdp-lab", """{"username": "alice", "password": "from the file"}""");
        var store = Store(("SORTIE_SECRET_RDP_LAB", """{"username": "bob", "password": "from the setting"}"""));

        Assert.Equal(new RdpCredentials("bob", "from the setting"), store.Read("rdp-lab"));
    }

    [Fact]
    public void A_missing_secret_says_where_it_is_looked_for()
    {
        var error = Assert.Throws<SecretException>(() => Store().Read("rdp-lab"));

        Assert.Contains("SORTIE_SECRET_RDP_LAB", error.Message);
        Assert.Contains(Path.Combine(_dataDir, "secrets", "rdp-lab.json"), error.Message);
    }

    [Fact]
    public void A_file_others_may_read_is_refused()
    {
        WriteFile("rdp-lab", """{"username": "alice", "password": "x"}""", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        Assert.Contains("chmod 600", Assert.Throws<SecretException>(() => Store().Read("rdp-lab")).Message);
    }

    [Fact]
    public void A_malformed_secret_is_refused_without_showing_what_it_holds()
    {
        WriteFile("rdp-lab", """{"username": "alice", "pasword": "typo-in-the-name-9"}""");

        var error = Assert.Throws<SecretException>(() => Store().Read("rdp-lab"));

        Assert.DoesNotContain("typo-in-the-name-9", error.Message);
        Assert.DoesNotContain("typo-in-the-name-9", new RdpCredentials("alice", "typo-in-the-name-9").ToString());
    }

    [Fact]
    public void A_name_that_is_a_path_is_refused()
    {
        Assert.Throws<SecretException>(() => Store().Read("../keys/jwt-signing"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}

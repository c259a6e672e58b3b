namespace Sortie.Auth;

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

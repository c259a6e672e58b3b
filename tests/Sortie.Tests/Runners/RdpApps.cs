using Sortie.Apps;
using Sortie.Data;
using Sortie.Rfb.Testing;

namespace Sortie.Tests.Runners;

/// <summary>What the RDP and web-proxy tests share: adding apps, writing secrets, reading pictures.</summary>
public static class RdpApps
{
    private static int _apps;

    /// <summary>Adds an RDP app (as the admin) with a name of its own.</summary>
    public static async Task<AppDto> AddAsync(SortieServer server, RdpSettings rdp) =>
        await AddAsync(server, new AppRequest($"rdp-{Interlocked.Increment(ref _apps)}", LaunchType.Container, StreamProtocol.Rdp, Rdp: rdp));

    public static async Task<AppDto> AddAsync(SortieServer server, AppRequest request)
    {
        using var admin = await server.AdminAsync();
        return await ApiClient.ReadAsync<AppDto>(await admin.PostAsync("/api/apps", request));
    }

    /// <summary>Writes a secret as an admin would: data/secrets/&lt;name&gt;.json, mode 0600.</summary>
    public static void WriteSecret(SortieServer server, string name, string username, string password)
    {
        var folder = Directory.CreateDirectory(Path.Combine(server.DataDir, "secrets"));
        folder.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        var file = Path.Combine(folder.FullName, $"{name}.json");
        File.WriteAllText(file, "");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(file, System.Text.Json.JsonSerializer.Serialize(new { username, password }));
    }

    /// <summary>Whether most of the picture is <paramref name="colour"/> (give or take a lossy codec's rounding).</summary>
    public static bool MostlyColour(Framebuffer picture, uint colour)
    {
        if (picture.Width == 0) return false;
        var matching = 0;
        for (var y = 0; y < picture.Height; y += 4)
            for (var x = 0; x < picture.Width; x += 4)
                if (Near(picture[x, y], colour)) matching++;
        return matching * 2 > (picture.Width / 4) * (picture.Height / 4);
    }

    private static bool Near(uint a, uint b) =>
        Math.Abs((int)(a >> 16 & 0xff) - (int)(b >> 16 & 0xff)) <= 12
        && Math.Abs((int)(a >> 8 & 0xff) - (int)(b >> 8 & 0xff)) <= 12
        && Math.Abs((int)(a & 0xff) - (int)(b & 0xff)) <= 12;
}

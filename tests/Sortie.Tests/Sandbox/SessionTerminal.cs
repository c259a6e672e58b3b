using Sortie.Sessions;
using Sortie.Tests.Sessions;
using Sortie.Rfb.Testing;

namespace Sortie.Tests.Sandbox;

/// <summary>
/// The xterm on a session's desktop, typed into as its user would: key events sent through the gateway to the
/// session's own Xvnc. What a command leaves in the session's home is read from the host, where the test runs.
/// </summary>
public sealed class SessionTerminal : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly RfbClient _viewer;
    private int _commands;

    public string Folder { get; }
    public string Home => Path.Combine(Folder, "home");

    private SessionTerminal(RfbClient viewer, string folder) => (_viewer, Folder) = (viewer, folder);

    /// <summary>Opens the terminal of a running desktop session, once its xterm is on the screen.</summary>
    public static async Task<SessionTerminal> OpenAsync(ApiClient owner, SessionDto session, string folder)
    {
        await SandboxProcesses.WaitForAsync(folder, "xterm");
        var viewer = await owner.ViewAsync(session.Id);
        await viewer.WaitForPictureAsync(f => f.CountDistinctColours() > 1, Timeout);
        var terminal = new SessionTerminal(viewer, folder);
        // Keys typed before the xterm has the focus, or before its shell reads, are lost: the first answer says it
        // reads what is typed.
        for (var attempt = 1; ; attempt++)
        {
            var marker = Path.Combine(terminal.Home, ".ready");
            await terminal.TypeAsync("echo > ~/.ready");
            if (await Eventually.TrueAsync(() => File.Exists(marker), TimeSpan.FromSeconds(3))) return terminal;
            if (attempt == 5) throw new TimeoutException("The session's terminal does not answer.");
        }
    }

    /// <summary>Types a line and presses Enter.</summary>
    public Task TypeAsync(string line) => TypeAsync(_viewer, line);

    /// <summary>Types a line on a viewer's keyboard (printable ASCII keysyms are their characters) and presses Enter.</summary>
    public static async Task TypeAsync(RfbClient viewer, string line)
    {
        foreach (var c in line + "\r")
        {
            var keysym = c == '\r' ? 0xff0du : c;
            await viewer.SendKeyAsync(keysym, down: true);
            await viewer.SendKeyAsync(keysym, down: false);
        }
    }

    /// <summary>Types a command and waits for the shell to finish it: its exit status.</summary>
    public async Task<int> RunAsync(string command)
    {
        // Ctrl-U first: whatever a lost key left on the line goes.
        await _viewer.SendKeyAsync(0xffe3, down: true);
        await _viewer.SendKeyAsync('u', down: true);
        await _viewer.SendKeyAsync('u', down: false);
        await _viewer.SendKeyAsync(0xffe3, down: false);
        var marker = $".done-{++_commands}";
        await TypeAsync($"{command}; echo $? > ~/{marker}");
        var path = Path.Combine(Home, marker);
        Assert.True(await Eventually.TrueAsync(() => File.Exists(path) && File.ReadAllText(path).EndsWith('\n'), Timeout),
            $"the shell did not finish: {command}");
        return int.Parse(File.ReadAllText(path).Trim());
    }

    /// <summary>A file the session's user wrote in their home, as text.</summary>
    public string Read(string name) => File.ReadAllText(Path.Combine(Home, name)).Trim();

    public ValueTask DisposeAsync() => _viewer.DisposeAsync();
}

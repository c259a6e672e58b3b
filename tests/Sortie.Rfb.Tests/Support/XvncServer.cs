using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Sortie.Rfb.Testing;

namespace Sortie.Rfb.Tests.Support;

/// <summary>
/// A throwaway TigerVNC server (Xvnc) listening on a Unix socket with security None, plus the X
/// programs a test starts on its display. Everything is killed and removed on disposal.
/// </summary>
public sealed class XvncServer : IAsyncDisposable
{
    private const string XvncPath = "/usr/bin/Xvnc";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly Process _xvnc;
    private readonly List<Process> _programs = [];
    private readonly StringBuilder _log = new();

    private XvncServer(Process xvnc, string folder)
    {
        _xvnc = xvnc;
        Folder = folder;
    }

    /// <summary>A private folder for the socket and whatever files the test needs.</summary>
    public string Folder { get; }

    public string SocketPath => Path.Combine(Folder, "vnc.sock");

    public int Display { get; private set; }

    /// <summary>Starts Xvnc with a <paramref name="width"/>x<paramref name="height"/> desktop on a free display.</summary>
    public static async Task<XvncServer> StartAsync(int width = 320, int height = 240)
    {
        if (!File.Exists(XvncPath)) Assert.Skip($"{XvncPath} is not installed (Debian: tigervnc-standalone-server).");

        var folder = Directory.CreateTempSubdirectory("sortie-rfb-").FullName;
        var start = new ProcessStartInfo(XvncPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // -displayfd 1: Xvnc picks a free display itself and prints its number once it is ready.
        foreach (var argument in new[]
                 {
                     "-displayfd", "1", "-rfbport", "-1", "-rfbunixpath", Path.Combine(folder, "vnc.sock"), "-rfbunixmode", "0600",
                     "-SecurityTypes", "None", "-AlwaysShared", "-nolisten", "tcp", "-depth", "24", "-geometry", $"{width}x{height}",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var server = new XvncServer(Process.Start(start)!, folder);
        server._xvnc.ErrorDataReceived += (_, e) => server.Log(e.Data);
        server._xvnc.BeginErrorReadLine();
        try
        {
            var display = await server._xvnc.StandardOutput.ReadLineAsync().WaitAsync(StartTimeout);
            server.Display = int.Parse(display ?? throw new InvalidOperationException($"Xvnc exited: {server.ReadLog()}"));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new connection to the server's socket.</summary>
    public async Task<Stream> OpenStreamAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        return new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>A client that has completed the handshake directly with the server.</summary>
    public async Task<RfbClient> ConnectAsync()
    {
        var client = new RfbClient(await OpenStreamAsync());
        await client.HandshakeAsync(new CancellationTokenSource(StartTimeout).Token);
        return client;
    }

    /// <summary>Starts an X program on this display; it is killed with the server.</summary>
    public Process Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Folder,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DISPLAY"] = $":{Display}";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (_programs) _programs.Add(process);
        return process;
    }

    /// <summary>Runs a Tcl/Tk script with wish; Tk draws without a window manager at the top left.</summary>
    public Process RunTk(string script)
    {
        var path = Path.Combine(Folder, $"script-{Guid.NewGuid():N}.tcl");
        File.WriteAllText(path, script);
        return Run("wish", path);
    }

    /// <summary>What Xvnc and the programs wrote to their consoles, for failure messages.</summary>
    public string ReadLog()
    {
        lock (_log) return _log.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        List<Process> processes;
        lock (_programs) processes = [.. _programs, _xvnc];
        foreach (var process in processes)
        {
            try
            {
                if (!process.HasExited) process.Kill();
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
            }
            process.Dispose();
        }
        Directory.Delete(Folder, recursive: true);
    }

    private void Log(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }
}

using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Sortie.Runners;

namespace Sortie.Tests.Runners;

/// <summary>
/// A real RDP server for a test: an Xvfb display painted <see cref="Colour"/>, shared over RDP by FreeRDP's shadow
/// server (Debian freerdp2-shadow-x11) on a loopback port. With an account, it insists on NLA and that account's
/// password. Its TLS certificate is its own (generated in its own home at its first start).
/// </summary>
public sealed class RdpServer : IAsyncDisposable
{
    /// <summary>The remote desktop's background, as 0x00RRGGBB.</summary>
    public const uint Colour = 0x12a34b;

    private readonly List<Process> _processes = [];
    private Process _shadow = null!;

    private RdpServer(string home, string display)
    {
        Home = home;
        Display = display;
    }

    public string Home { get; }
    public string Display { get; }
    public int Port { get; private set; }

    /// <summary>The SHA-256 of the server's certificate, as Sortie and xfreerdp write it.</summary>
    public string CertificateFingerprint => RdpProbe.Fingerprint(
        X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(Home, ".config", "freerdp", "shadow", "shadow.crt"))).RawData);

    public static async Task<RdpServer> StartAsync(int width, int height, (string Username, string Password)? account = null)
    {
        var home = Directory.CreateTempSubdirectory("sortie-rdp-").FullName;
        // -displayfd: Xvfb picks a free display and writes its number on stdout.
        var xvfb = Start("Xvfb", ["-displayfd", "1", "-screen", "0", $"{width}x{height}x24", "-noreset", "-nolisten", "tcp"], home, null, stdout: true);
        var number = await xvfb.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var server = new RdpServer(home, $":{number}");
        server._processes.Add(xvfb);
        try
        {
            await server.RunAsync("xsetroot", "-solid", $"#{Colour:x6}");
            // -auth: no PAM logon into this machine's accounts; with an account, NLA checks its password (the SAM file).
            List<string> args = ["/bind-address:127.0.0.1", "-auth"];
            if (account is var (username, password))
            {
                var sam = Path.Combine(home, "sam");
                var hash = Start("winpr-hash", ["-u", username, "-p", password, "-f", "sam"], home, null, stdout: true);
                await File.WriteAllTextAsync(sam, await hash.StandardOutput.ReadToEndAsync());
                await hash.WaitForExitAsync();
                args.AddRange(["/sec:nla", $"/sam-file:{sam}"]);
            }
            await server.StartShadowAsync(args);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a program on the remote desktop (an X client of its display) for as long as the server runs.</summary>
    public Process Show(string program, params string[] args)
    {
        var process = Start(program, args, Home, Display, stdout: false);
        _processes.Add(process);
        return process;
    }

    /// <summary>Stops the RDP server (its display stays): what a remote desktop going away looks like.</summary>
    public async Task StopAsync()
    {
        _shadow.Kill(entireProcessTree: true);
        await _shadow.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_processes))
        {
            try { process.Kill(entireProcessTree: true); await process.WaitForExitAsync(); } catch (InvalidOperationException) { }
            process.Dispose();
        }
        try { Directory.Delete(Home, recursive: true); } catch (IOException) { }
    }

    private async Task StartShadowAsync(List<string> args)
    {
        // A free port, then the server on it; another process may take the port in between, so try a few.
        for (var attempt = 0; ; attempt++)
        {
            var free = new TcpListener(System.Net.IPAddress.Loopback, 0);
            free.Start();
            Port = ((System.Net.IPEndPoint)free.LocalEndpoint).Port;
            free.Stop();
            _shadow = Start("freerdp-shadow-cli", [$"/port:{Port}", .. args], Home, Display, stdout: false);
            _processes.Add(_shadow);
            if (await ListensAsync()) return;
            if (attempt == 3) throw new InvalidOperationException("freerdp-shadow-cli did not start listening.");
        }
    }

    private async Task<bool> ListensAsync()
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(20); DateTime.UtcNow < deadline && !_shadow.HasExited; await Task.Delay(50))
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(System.Net.IPAddress.Loopback, Port);
                return true;
            }
            catch (SocketException) { }
        }
        return false;
    }

    private async Task RunAsync(string program, params string[] args)
    {
        using var process = Start(program, args, Home, Display, stdout: false);
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} failed ({process.ExitCode}).");
    }

    private static Process Start(string program, IEnumerable<string> args, string home, string? display, bool stdout)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = stdout, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["HOME"] = home; // the shadow server keeps its certificate there
        if (display is not null) start.Environment["DISPLAY"] = display;
        var process = Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync(); // drained, so that a chatty server never blocks on a full pipe
        return process;
    }
}

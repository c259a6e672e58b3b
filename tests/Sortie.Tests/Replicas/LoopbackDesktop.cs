using System.Diagnostics;
using System.Net.Sockets;

namespace Sortie.Tests.Replicas;

/// <summary>
/// A real desktop on a TCP port of loopback, where the Kubernetes runner looks for a pod's VNC sidecar: TigerVNC's
/// Xvnc (security None, as in the pod, whose NetworkPolicy admits only the gateway) with an xterm on it.
/// </summary>
public sealed class LoopbackDesktop : IAsyncDisposable
{
    private readonly Process _xvnc;
    private Process? _xterm;

    public int Port { get; }

    private LoopbackDesktop(Process xvnc, int port)
    {
        _xvnc = xvnc;
        Port = port;
    }

    public static async Task<LoopbackDesktop> StartAsync(int width, int height)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var start = new ProcessStartInfo("/usr/bin/Xvnc") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
                 {
                     "-displayfd", "1", "-rfbport", port.ToString(), "-localhost", "-SecurityTypes", "None", "-AlwaysShared",
                     "-BlacklistThreshold", "1000000", "-BlacklistTimeout", "0", "-geometry", $"{width}x{height}", "-depth", "24",
                 })
        {
            start.ArgumentList.Add(argument);
        }
        var desktop = new LoopbackDesktop(Process.Start(start)!, port);
        try
        {
            desktop._xvnc.ErrorDataReceived += (_, _) => { };
            desktop._xvnc.BeginErrorReadLine();
            var display = await desktop._xvnc.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20))
                ?? throw new InvalidOperationException("Xvnc exited while starting.");
            var xterm = new ProcessStartInfo("/usr/bin/xterm", ["-geometry", "40x10+0+0"]) { RedirectStandardError = true };
            xterm.Environment["DISPLAY"] = $":{display.Trim()}";
            desktop._xterm = Process.Start(xterm);
            return desktop;
        }
        catch
        {
            await desktop.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in new[] { _xterm, _xvnc })
        {
            if (process is null) continue;
            if (!process.HasExited) process.Kill();
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }
}

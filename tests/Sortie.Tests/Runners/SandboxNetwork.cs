using System.Diagnostics;

namespace Sortie.Tests.Runners;

/// <summary>
/// Tries connections from inside a sandbox's network namespace (nsenter, so the test needs root), to see what a
/// sandboxed program could reach.
/// </summary>
public static class SandboxNetwork
{
    /// <summary>
    /// The first bytes an RDP server answers to a connection request sent to <paramref name="host"/>:<paramref name="port"/>
    /// from inside the namespace of <paramref name="pid"/>, as hex; empty when the connection fails.
    /// </summary>
    public static Task<string> RdpAnswerAsync(int pid, string host, int port) => RunAsync(pid,
        // An X.224 Connection Request asking for TLS or NLA; an RDP server answers with a TPKT (03 00 …).
        $"exec 3<>/dev/tcp/{host}/{port} && printf '\\x03\\x00\\x00\\x13\\x0e\\xe0\\x00\\x00\\x00\\x00\\x00\\x01\\x00\\x08\\x00\\x03\\x00\\x00\\x00' >&3 " +
        "&& timeout 10 head -c 4 <&3 | od -An -tx1");

    /// <summary>Whether a TCP connection to <paramref name="host"/>:<paramref name="port"/> opens from inside the namespace of <paramref name="pid"/>.</summary>
    public static async Task<bool> CanConnectAsync(int pid, string host, int port) =>
        (await RunAsync(pid, $"exec 3<>/dev/tcp/{host}/{port} && echo connected")).Contains("connected");

    /// <summary>The network interfaces the namespace of <paramref name="pid"/> has.</summary>
    public static IReadOnlyList<string> Interfaces(int pid) =>
        File.ReadAllLines($"/proc/{pid}/net/dev").Skip(2).Select(l => l.Split(':')[0].Trim()).ToList();

    private static async Task<string> RunAsync(int pid, string script)
    {
        var start = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { $"--net=/proc/{pid}/ns/net", "--", "timeout", "15", "bash", "-c", script }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (await output).Trim();
    }
}

using System.Diagnostics;

namespace Sortie.Runners.Local;

/// <summary>
/// The relay of a session's one allowed endpoint (<see cref="Egress"/>): socat, outside the sandbox and so on the
/// host's network, as the sandbox's uid and in its cgroup, listening on run/egress.sock (0600: that uid and root
/// only) and connecting <see cref="Egress.Host"/>:<see cref="Egress.Port"/> for each connection, nothing else. Like
/// the sandbox it has a process session of its own and outlives a server restart; the sandbox cannot see or signal
/// it (its own pid namespace).
/// </summary>
internal static class EgressRelay
{
    public static async Task StartAsync(LocalRunnerOptions runner, SessionFolder folder, int uid, Egress egress, IReadOnlyList<string> cgroup,
        CancellationToken ct)
    {
        var socket = folder.EgressSocket;
        // socat's address syntax gives these characters meanings of their own.
        if (socket.IndexOfAny([',', ':', '!', '\\', '"', '\'', ' ']) >= 0)
            throw new RunnerException($"Sessions that reach the network need a runtime folder whose path has no , : ! or spaces ({folder}); set SORTIE_RUNTIME_DIR.");
        var start = SessionProcessStart.Create(runner, cgroup, "/dev/null", uid);
        var host = egress.Host.Contains(':') ? $"[{egress.Host}]" : egress.Host;
        foreach (var a in new[] { runner.Socat, "-lf", folder.RelayLog,
                     $"UNIX-LISTEN:{socket},fork,unlink-early,mode=600", $"TCP:{host}:{egress.Port},connect-timeout=10" })
            start.ArgumentList.Add(a);
        using var relay = Process.Start(start) ?? throw new RunnerException("The session's network relay could not be started.");
        folder.RecordRelay(relay.Id, uid, egress);
        // The socket is in run/, which the sandbox can write: only its type is looked at, without following a link.
        var listening = false;
        await Poll.UntilAsync(() => (listening = SandboxFiles.IsSocket(socket)) || relay.HasExited,
            TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10), ct);
        if (!listening) throw new RunnerException("The session's network relay could not be started.");
    }

    /// <summary>Stops the relay (with the connections it forked) when no sweep by uid can: the server is not root.</summary>
    public static void Kill(SessionFolder folder)
    {
        if (SandboxProcessScanner.Find(folder, folder.RelayRecord()) is not var (relay, _, _)) return;
        using (relay)
        {
            try { relay.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { } // it ended meanwhile
        }
    }

    /// <summary>Whether the session's relay still runs.</summary>
    public static bool IsRunning(SessionFolder folder)
    {
        if (SandboxProcessScanner.Find(folder, folder.RelayRecord()) is not var (relay, _, _)) return false;
        relay.Dispose();
        return true;
    }
}

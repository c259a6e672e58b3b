using System.Net.Sockets;

namespace Sortie.Runners.Local;

/// <summary>
/// The way to a sandbox's Xvnc: a Unix socket in its run/ folder, which the sandbox can write. So a connection is
/// made to the session's own Xvnc and nothing else: not a link the user put at the socket's name (say, to another
/// session's socket, or to one of the host's), nor a socket whose listener is outside the session's sandbox.
/// </summary>
internal sealed class SandboxVncSocket(ILogger log)
{
    /// <summary>A stream to the sandbox's Xvnc, waiting out a full listen backlog.</summary>
    public async Task<Stream> ConnectAsync(RunningSandbox sandbox, CancellationToken ct)
    {
        // A Unix socket refuses at once (EAGAIN) while Xvnc's listen backlog is full, as when many viewers arrive
        // together: that is a moment to wait, not a failure.
        for (var delay = 5; ; delay = Math.Min(delay * 2, 200))
        {
            try { return await ConnectOnceAsync(sandbox, ct); }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TryAgain or SocketError.WouldBlock && delay < 200) { }
            await Task.Delay(delay, ct);
        }
    }

    public Task<bool> AnswersAsync(RunningSandbox sandbox, CancellationToken ct) => VncProbe.AnswersAsync(c => ConnectOnceAsync(sandbox, c), ct);

    /// <summary>Waits for a starting sandbox's Xvnc to answer; throws <see cref="RunnerException"/> if the sandbox ends or <paramref name="timeout"/> passes first.</summary>
    public async Task WaitUntilAnswersAsync(RunningSandbox sandbox, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            while (true)
            {
                if (sandbox.Process.HasExited) throw new RunnerException("The desktop exited while starting.");
                if (await AnswersAsync(sandbox, limit.Token)) return;
                await Task.Delay(20, limit.Token);
            }
        }
        // The time ran out, whether waiting between two tries or in one.
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new RunnerException($"The desktop did not start within {timeout.TotalSeconds:0} s.");
        }
    }

    private async Task<Stream> ConnectOnceAsync(RunningSandbox sandbox, CancellationToken ct)
    {
        try
        {
            var socket = await SandboxFiles.ConnectAsync(sandbox.Folder.VncSocket, sandbox.Uid,
                peer => sandbox.PidNamespace is { } own && Processes.PidNamespace(peer.Pid) == own, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (IOException e)
        {
            log.LogWarning("Session {SessionId}: refused to connect its VNC socket: {Problem}", sandbox.Id, e.Message);
            throw;
        }
    }
}

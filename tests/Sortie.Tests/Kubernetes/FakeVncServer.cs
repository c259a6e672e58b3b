namespace Sortie.Tests.Kubernetes;

/// <summary>Stands in for a pod's Xvnc: a loopback TCP port that greets every connection with the RFB banner.</summary>
public sealed class FakeVncServer : IAsyncDisposable
{
    private readonly System.Net.Sockets.TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public FakeVncServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        await client.GetStream().WriteAsync("RFB 003.008\n"u8.ToArray());
                        try { await Task.Delay(Timeout.Infinite, _stop.Token); } catch (OperationCanceledException) { }
                    }
                });
            }
        }
        // Stopping: the accept was cancelled, or (an accept that returned just before) the next one found the listener stopped.
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException
                                      or InvalidOperationException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
    }
}

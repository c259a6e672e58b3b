using System.Net.Sockets;
using System.Net.WebSockets;

namespace Sortie.Bench;

/// <summary>
/// `Sortie.Bench peer`: the synthetic VNC server and the reading client, in a process of their own so that the
/// relaying process (Sortie, websockify) is measured alone. Driven line by line over stdin/stdout:
/// it prints "PORT n"; for "run tcp|ws address token|- seconds" it prints "START" once warm,
/// "DONE bytes seconds" at the end of the window, and closes the connection on "close".
/// </summary>
public static class Peer
{
    public static async Task RunAsync()
    {
        using var vnc = new SyntheticVnc();
        Console.WriteLine($"PORT {vnc.Port}");
        while (Console.ReadLine() is { } line)
        {
            var parts = line.Split(' ');
            if (parts[0] != "run") continue;
            try
            {
                await using var stream = await OpenAsync(parts[1], parts[2], parts[3]);
                var (bytes, elapsed) = await ThroughputClient.RunAsync(stream, TimeSpan.FromSeconds(double.Parse(parts[4])),
                    () => { Console.WriteLine("START"); return Task.CompletedTask; });
                Console.WriteLine($"DONE {bytes} {elapsed.TotalSeconds:R}");
                Console.ReadLine(); // "close"
            }
            catch (Exception e)
            {
                Console.WriteLine($"FAILED {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            }
        }
    }

    private static async Task<Stream> OpenAsync(string kind, string address, string token)
    {
        if (kind == "tcp")
        {
            var client = new TcpClient { NoDelay = true };
            var colon = address.LastIndexOf(':');
            await client.ConnectAsync(address[..colon], int.Parse(address[(colon + 1)..]));
            return client.GetStream();
        }
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("binary");
        if (token != "-") socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        await socket.ConnectAsync(new Uri(address), CancellationToken.None);
        return WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true);
    }
}

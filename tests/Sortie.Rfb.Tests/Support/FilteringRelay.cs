using System.Buffers;
using System.Net.Sockets;

namespace Sortie.Rfb.Tests.Support;

/// <summary>
/// The gateway in miniature: a viewer connects to <see cref="ViewerStream"/>, and its bytes reach
/// a real server through a <see cref="ClientStreamFilter"/>, while the server's answers come back
/// through a <see cref="ServerStreamFilter"/> (view-only) or verbatim (full access). Both
/// directions run concurrently, as in the gateway, and every byte before and after the filters is recorded.
/// </summary>
public sealed class FilteringRelay : IAsyncDisposable
{
    private readonly Stream _server;
    private readonly Socket _viewerSide;
    private readonly Recording _fromViewer = new();
    private readonly Recording _toServer = new();
    private readonly Recording _fromServer = new();
    private readonly Recording _toViewer = new();
    private readonly Task _pumps;
    private Exception? _fault;

    private FilteringRelay(Stream server, Socket viewerSide, ViewerRights rights, Stream viewerStream)
    {
        _server = server;
        _viewerSide = viewerSide;
        ViewerStream = viewerStream;
        ClientFilter = new ClientStreamFilter(rights, State);
        ServerFilter = rights == ViewerRights.ViewOnly ? new ServerStreamFilter(State) : null;
        var viewer = new NetworkStream(viewerSide, ownsSocket: false);
        _pumps = Task.WhenAll(
            PumpAsync(viewer, _server, _fromViewer, _toServer, ClientFilter.Process),
            PumpAsync(_server, viewer, _fromServer, _toViewer, ServerFilter is null ? Verbatim : ServerFilter.Process));
    }

    private delegate void Filter(ReadOnlySpan<byte> input, IBufferWriter<byte> output);

    /// <summary>The viewer's end of the connection.</summary>
    public Stream ViewerStream { get; }

    public RfbStreamState State { get; } = new();

    public ClientStreamFilter ClientFilter { get; }

    /// <summary>The server filter, for view-only relays.</summary>
    public ServerStreamFilter? ServerFilter { get; }

    public byte[] ViewerSent => _fromViewer.ToArray();

    public byte[] ServerReceived => _toServer.ToArray();

    public byte[] ServerSent => _fromServer.ToArray();

    public byte[] ViewerReceived => _toViewer.ToArray();

    /// <summary>Connects to <paramref name="server"/> and waits for a viewer on a fresh socket pair.</summary>
    public static async Task<FilteringRelay> StartAsync(XvncServer server, ViewerRights rights)
    {
        var path = Path.Combine(server.Folder, $"relay-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var viewer = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await viewer.ConnectAsync(new UnixDomainSocketEndPoint(path));
        var viewerSide = await listener.AcceptAsync();
        return new FilteringRelay(await server.OpenStreamAsync(), viewerSide, rights, new NetworkStream(viewer, ownsSocket: true));
    }

    /// <summary>Fails the test if either filter refused its stream.</summary>
    public void AssertHealthy()
    {
        if (_fault is not null) Assert.Fail($"The relay failed: {_fault}");
    }

    public async ValueTask DisposeAsync()
    {
        await ViewerStream.DisposeAsync();
        await _server.DisposeAsync();
        _viewerSide.Dispose();
        try
        {
            await _pumps.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or RfbProtocolException)
        {
        }
    }

    private static void Verbatim(ReadOnlySpan<byte> input, IBufferWriter<byte> output) => output.Write(input);

    private async Task PumpAsync(Stream from, Stream to, Recording before, Recording after, Filter filter)
    {
        var buffer = new byte[64 * 1024];
        var filtered = new ArrayBufferWriter<byte>();
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer)) > 0)
            {
                before.Add(buffer.AsSpan(0, read));
                filtered.Clear();
                filter(buffer.AsSpan(0, read), filtered);
                after.Add(filtered.WrittenSpan);
                await to.WriteAsync(filtered.WrittenMemory);
            }
        }
        catch (RfbProtocolException e)
        {
            _fault ??= e;
            throw;
        }
    }

    /// <summary>Bytes seen at one point of the relay, safe to read while the relay runs.</summary>
    private sealed class Recording
    {
        private readonly MemoryStream _bytes = new();

        public void Add(ReadOnlySpan<byte> bytes)
        {
            lock (_bytes) _bytes.Write(bytes);
        }

        public byte[] ToArray()
        {
            lock (_bytes) return _bytes.ToArray();
        }
    }
}

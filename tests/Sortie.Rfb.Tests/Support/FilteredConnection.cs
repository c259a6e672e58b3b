using System.Buffers;

namespace Sortie.Rfb.Tests.Support;

/// <summary>
/// One viewer connection's pair of filters, as the gateway wires them, fed by hand: what the viewer
/// sends goes through the client filter, what the server sends through the server filter.
/// </summary>
public sealed class FilteredConnection
{
    private readonly ArrayBufferWriter<byte> _toServer = new();
    private readonly ArrayBufferWriter<byte> _toViewer = new();

    public FilteredConnection(ViewerRights rights = ViewerRights.ViewOnly, ClientFilterOptions? options = null)
    {
        Client = new ClientStreamFilter(rights, State, options);
        Server = new ServerStreamFilter(State);
    }

    public RfbStreamState State { get; } = new();

    public ClientStreamFilter Client { get; }

    public ServerStreamFilter Server { get; }

    /// <summary>What the client filter let through so far.</summary>
    public byte[] ToServer => _toServer.WrittenSpan.ToArray();

    /// <summary>What the server filter let through so far.</summary>
    public byte[] ToViewer => _toViewer.WrittenSpan.ToArray();

    /// <summary>A view-only connection whose handshake (3.8, Rgb888) is done, both outputs cleared.</summary>
    public static FilteredConnection Established(ViewerRights rights = ViewerRights.ViewOnly, PixelFormat? format = null)
    {
        var connection = new FilteredConnection(rights);
        connection.FromViewer(ClientBytes.Handshake38);
        connection.FromServer(ServerBytes.Handshake(RfbBanner.Version38, format ?? PixelFormat.Rgb888));
        connection.ClearOutputs();
        return connection;
    }

    public FilteredConnection FromViewer(params byte[][] chunks)
    {
        foreach (var chunk in chunks) Client.Process(chunk, _toServer);
        return this;
    }

    public FilteredConnection FromServer(params byte[][] chunks)
    {
        foreach (var chunk in chunks) Server.Process(chunk, _toViewer);
        return this;
    }

    public void ClearOutputs()
    {
        _toServer.Clear();
        _toViewer.Clear();
    }
}

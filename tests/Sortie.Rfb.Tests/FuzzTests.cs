using Sortie.Rfb.Tests.Support;

namespace Sortie.Rfb.Tests;

/// <summary>
/// Random and damaged streams, from fixed seeds so any failure can be replayed: the filters may
/// refuse them, but only with <see cref="RfbProtocolException"/>, and never let through what a
/// view-only viewer must not send or receive.
/// </summary>
public sealed class FuzzTests
{
    private const int Iterations = 3000;

    private static readonly byte[] InputMessageTypes =
    [
        ClientMessage.KeyEvent, ClientMessage.PointerEvent, ClientMessage.ClientCutText,
        ClientMessage.SetDesktopSize, ClientMessage.Xvp, ClientMessage.Qemu,
    ];

    [Fact]
    public void Junk_from_a_view_only_viewer_never_reaches_the_server_as_input()
    {
        for (var seed = 0; seed < Iterations; seed++)
        {
            var random = new Random(seed);
            var version = RandomSessions.Version(random);
            CheckViewOnlyViewer(seed, version, RandomSessions.ViewerJunk(random, version), random);
        }
    }

    [Fact]
    public void Damaged_sessions_from_a_view_only_viewer_never_reach_the_server_as_input()
    {
        for (var seed = 0; seed < Iterations; seed++)
        {
            var random = new Random(seed);
            var version = RandomSessions.Version(random);
            var session = Mutations.Apply(RandomSessions.Viewer(random, version), random, random.Next(1, 6));
            CheckViewOnlyViewer(seed, version, session, random);
        }
    }

    [Fact]
    public void Damaged_server_streams_never_show_a_view_only_viewer_the_clipboard()
    {
        for (var seed = 0; seed < Iterations; seed++)
        {
            var random = new Random(seed);
            var version = RandomSessions.Version(random);
            var stream = Mutations.Apply(RandomSessions.Server(random, version), random, random.Next(0, 6));
            CheckServerToViewOnlyViewer(seed, version, stream, random);
        }
    }

    [Fact]
    public void Random_bytes_from_the_server_only_ever_raise_protocol_errors()
    {
        for (var seed = 0; seed < Iterations; seed++)
        {
            var random = new Random(seed);
            var version = RandomSessions.Version(random);
            var junk = new byte[random.Next(1, 200)];
            random.NextBytes(junk);
            CheckServerToViewOnlyViewer(seed, version, Wire.Concat(ServerBytes.Handshake(version, PixelFormat.Rgb888), junk), random);
        }
    }

    private static void CheckViewOnlyViewer(int seed, RfbBanner version, byte[] session, Random random)
    {
        var connection = new FilteredConnection(ViewerRights.ViewOnly);
        RefusingOnlyWithProtocolErrors(seed, () => connection.FromViewer(Chunks.Random(session, random)));
        var forwarded = connection.ToServer;

        // Whatever got through must itself be a clean stream, with no input in it.
        var reread = new FilteredConnection(ViewerRights.Full);
        reread.FromViewer(forwarded);
        foreach (var type in InputMessageTypes)
            Assert.True(reread.Client.Counters.Forwarded(type) == 0, $"seed {seed}: a message of type {type} was forwarded");

        var clientInit = RfbBanner.Length + (version == RfbBanner.Version33 ? 0 : 1);
        if (forwarded.Length > clientInit)
            Assert.True(forwarded[clientInit] == 1, $"seed {seed}: the shared flag was {forwarded[clientInit]}");

        Assert.Equal(forwarded, new FilteredConnection(ViewerRights.ViewOnly).FromViewer(forwarded).ToServer);
    }

    private static void CheckServerToViewOnlyViewer(int seed, RfbBanner version, byte[] stream, Random random)
    {
        var connection = new FilteredConnection(ViewerRights.ViewOnly).FromViewer(ClientBytes.Handshake(version));
        RefusingOnlyWithProtocolErrors(seed, () => connection.FromServer(Chunks.Random(stream, random, maxLength: 500)));
        var forwarded = connection.ToViewer;

        // A viewer reading the output in step with the filter finds no clipboard in it.
        var reread = new FilteredConnection(ViewerRights.ViewOnly).FromViewer(ClientBytes.Handshake(version));
        reread.FromServer(forwarded);
        Assert.True(reread.Server.Counters.Dropped(ServerMessage.ServerCutText) == 0, $"seed {seed}: clipboard in the output");
        Assert.True(reread.Server.Counters.Dropped(ServerMessage.Xvp) == 0, $"seed {seed}: XVP in the output");
        Assert.Equal(forwarded, reread.ToViewer);
    }

    private static void RefusingOnlyWithProtocolErrors(int seed, Action feed)
    {
        try
        {
            feed();
        }
        catch (RfbProtocolException)
        {
        }
        catch (Exception e)
        {
            Assert.Fail($"seed {seed}: {e}");
        }
    }
}


namespace Sortie.Rfb.Tests.Support;

/// <summary>Well-formed but random streams for the fuzz tests: every message type, random sizes and contents.</summary>
public static class RandomSessions
{
    private static readonly RfbBanner[] Versions = [RfbBanner.Version33, RfbBanner.Version37, RfbBanner.Version38];

    public static RfbBanner Version(Random random) => Versions[random.Next(Versions.Length)];

    /// <summary>A viewer's handshake and 1 to 30 messages of any type, in a random order.</summary>
    public static byte[] Viewer(Random random, RfbBanner version)
    {
        var parts = new List<byte[]> { ClientBytes.Handshake(version, (byte)random.Next(3)) };
        for (var i = random.Next(1, 31); i > 0; i--) parts.Add(ViewerMessage(random));
        return Wire.Concat([.. parts]);
    }

    /// <summary>A viewer's handshake followed by loosely typed junk: a known type byte, then anything.</summary>
    public static byte[] ViewerJunk(Random random, RfbBanner version)
    {
        var wire = new Wire().Bytes(ClientBytes.Handshake(version));
        byte[] types = [0, 2, 3, 4, 5, 6, 150, 248, 250, 251, 255];
        for (var i = random.Next(1, 10); i > 0; i--)
        {
            wire.U8(random.Next(20) == 0 ? random.Next(256) : types[random.Next(types.Length)]);
            wire.Bytes(RandomBytes(random, random.Next(0, 40)));
        }
        return wire.ToArray();
    }

    /// <summary>A server's handshake for <paramref name="version"/> and 1 to 20 messages of any type.</summary>
    public static byte[] Server(Random random, RfbBanner version)
    {
        var parts = new List<byte[]> { ServerBytes.Handshake(version, PixelFormat.Rgb888) };
        for (var i = random.Next(1, 21); i > 0; i--) parts.Add(ServerMessage(random));
        return Wire.Concat([.. parts]);
    }

    private static byte[] ViewerMessage(Random random) => random.Next(16) switch
    {
        0 => ClientBytes.SetPixelFormat(PixelFormat.Rgb888),
        1 => ClientBytes.SetEncodings([.. Enumerable.Range(0, random.Next(30)).Select(_ => ClientBytes.NoVncEncodings[random.Next(ClientBytes.NoVncEncodings.Length)])]),
        2 => ClientBytes.UpdateRequest(random.Next(2) == 0),
        3 => ClientBytes.KeyEvent((uint)random.Next(), random.Next(2) == 0),
        4 => ClientBytes.PointerEvent(random.Next(320), random.Next(240), (byte)random.Next(256)),
        5 => ClientBytes.ClientCutText(new string('x', random.Next(100))),
        6 => ClientBytes.ExtendedClipboard(random.Next(100)),
        7 => ClientBytes.EnableContinuousUpdates(random.Next(2) == 0),
        8 => ClientBytes.Fence((uint)random.Next(), random.Next(65)),
        9 => ClientBytes.Xvp((byte)random.Next(256)),
        10 => ClientBytes.SetDesktopSize(random.Next(2000), random.Next(2000), random.Next(4)),
        11 => ClientBytes.QemuExtendedKeyEvent((uint)random.Next(), (uint)random.Next()),
        12 => ClientBytes.QemuAudio(QemuAudioOperation.Enable),
        13 => ClientBytes.QemuAudio(QemuAudioOperation.Disable),
        14 => ClientBytes.QemuAudioSetFormat(),
        _ => ClientBytes.UpdateRequest(incremental: true),
    };

    private static byte[] ServerMessage(Random random) => random.Next(9) switch
    {
        0 or 1 or 2 => ServerBytes.Update([.. Enumerable.Range(0, random.Next(5)).Select(_ => Rectangle(random))]),
        3 => ServerBytes.UncountedUpdate([.. Enumerable.Range(0, random.Next(5)).Select(_ => Rectangle(random))]),
        4 => ServerBytes.ServerCutText(new string('s', random.Next(100))),
        5 => ServerBytes.ExtendedServerCutText(random.Next(100)),
        6 => ServerBytes.Fence((uint)random.Next(), random.Next(65)),
        7 => ServerBytes.Xvp((byte)random.Next(256)),
        _ => random.Next(3) switch
        {
            0 => ServerBytes.Bell,
            1 => ServerBytes.EndOfContinuousUpdates,
            _ => ServerBytes.SetColourMapEntries(random.Next(10)),
        },
    };

    private static byte[] Rectangle(Random random)
    {
        int Side() => random.Next(0, 40);
        var format = PixelFormat.Rgb888;
        return random.Next(14) switch
        {
            0 => ServerBytes.Raw(Side(), Side(), format),
            1 => ServerBytes.CopyRect(),
            2 => ServerBytes.Zrle(random.Next(500)),
            3 => ServerBytes.TightFill(format),
            4 => ServerBytes.TightJpeg(random.Next(20000)),
            5 => ServerBytes.TightCopy(Side(), Side(), random.Next(500)),
            6 => ServerBytes.TightFiltered(Side(), Side(), (byte)random.Next(3), random.Next(500)),
            7 => ServerBytes.TightPalette(Side(), Side(), random.Next(1, 257), random.Next(500)),
            8 => ServerBytes.Cursor(Side(), Side(), format),
            9 => ServerBytes.VMwareCursor(Side(), Side(), (byte)random.Next(2), format),
            10 => ServerBytes.DesktopName(new string('n', random.Next(30))),
            11 => ServerBytes.DesktopSize(random.Next(2000), random.Next(2000)),
            12 => ServerBytes.ExtendedDesktopSize(random.Next(4)),
            _ => ServerBytes.Rectangle(Side(), Side(), random.Next()).ToArray(),
        };
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}

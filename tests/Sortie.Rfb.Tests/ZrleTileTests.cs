using Sortie.Rfb.Tests.Support;
using Sortie.Rfb.Testing;

namespace Sortie.Rfb.Tests;

/// <summary>
/// The test client's ZRLE decoder on hand-built tiles, every subencoding and CPIXEL size; against a
/// real server see <see cref="ZrleDecodingTests"/>.
/// </summary>
public sealed class ZrleTileTests
{
    private const uint A = 0x102030, B = 0x405060, C = 0x708090, D = 0xA0B0C0, E = 0xD0E0F0;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public Task Raw_tiles_list_every_pixel() =>
        AssertDecodesAsync(3, 2, Tile(0).Bytes(Pixels(A, B, C, D, E, A)),
            [A, B, C, D, E, A]);

    [Fact]
    public Task Solid_tiles_fill_with_one_colour() =>
        AssertDecodesAsync(4, 3, Tile(1).Bytes(Pixels(B)),
            [B, B, B, B, B, B, B, B, B, B, B, B]);

    [Fact]
    public Task Two_colour_palettes_take_one_bit_a_pixel_and_rows_start_on_a_new_byte() =>
        AssertDecodesAsync(10, 2, Tile(2).Bytes(Pixels(A, B)).U8(0b1010_1010).U8(0b1100_0000).U8(0b0000_0000).U8(0b0100_0000),
            [B, A, B, A, B, A, B, A, B, B,
             A, A, A, A, A, A, A, A, A, B]);

    [Fact]
    public Task Three_and_four_colour_palettes_take_two_bits_a_pixel() =>
        AssertDecodesAsync(5, 2, Tile(3).Bytes(Pixels(A, B, C)).U8(0b00_01_10_01).U8(0b00_000000).U8(0b10_10_10_10).U8(0b01_000000),
            [A, B, C, B, A,
             C, C, C, C, B]);

    [Fact]
    public Task Five_to_sixteen_colour_palettes_take_four_bits_a_pixel() =>
        AssertDecodesAsync(3, 2, Tile(5).Bytes(Pixels(A, B, C, D, E)).U8(0x40).U8(0x30).U8(0x12).U8(0x40),
            [E, A, D,
             B, C, E]);

    [Fact]
    public async Task A_sixteen_colour_palette_uses_every_index()
    {
        var palette = Enumerable.Range(0, 16).Select(i => (uint)(0x0F0F0F * i)).ToArray();
        await AssertDecodesAsync(4, 4, Tile(16).Bytes(Pixels(palette)).Bytes([0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF]), palette);
    }

    [Fact]
    public Task Plain_RLE_runs_add_up_their_length_bytes_while_they_are_255() =>
        // 300 = 1 + 255 + 44; 256 = 1 + 255 + 0; 84 = 1 + 83: 640 pixels, a 64x10 tile.
        AssertDecodesAsync(64, 10, Tile(128).Bytes(Pixels(A)).U8(255).U8(44).Bytes(Pixels(B)).U8(255).U8(0).Bytes(Pixels(C)).U8(83),
            [.. Enumerable.Repeat(A, 300), .. Enumerable.Repeat(B, 256), .. Enumerable.Repeat(C, 84)]);

    [Fact]
    public Task Palette_RLE_mixes_single_pixels_and_runs() =>
        // 128 + 3 colours; an index with the top bit set is followed by a run length.
        AssertDecodesAsync(5, 3, Tile(131).Bytes(Pixels(A, B, C)).U8(0x00).U8(0x80).U8(0).U8(0x81).U8(3).U8(0x02).U8(0x82).U8(7),
            [A, A, B, B, B,
             B, C, C, C, C,
             C, C, C, C, C]);

    [Fact]
    public async Task Tiles_are_64_pixels_square_left_to_right_then_top_to_bottom()
    {
        using var zrle = new ZrleStream();
        var tiles = Wire.Concat(Tile(1).Bytes(Pixels(A)).ToArray(), Tile(1).Bytes(Pixels(B)).ToArray(),
            Tile(1).Bytes(Pixels(C)).ToArray(), Tile(1).Bytes(Pixels(D)).ToArray());
        await using var client = await ConnectedAsync(PixelFormat.Rgb888, ServerBytes.Update(zrle.Rectangle(70, 66, tiles, x: 5, y: 7)));
        await client.WaitForUpdateAsync(Timeout, Ct);

        var picture = client.Framebuffer;
        Assert.Equal((A, A), (picture[5, 7], picture[68, 70]));
        Assert.Equal((B, B), (picture[69, 7], picture[74, 70]));
        Assert.Equal((C, C), (picture[5, 71], picture[68, 72]));
        Assert.Equal((D, D), (picture[69, 71], picture[74, 72]));
        Assert.Equal((0u, 0u, 0u, 0u), (picture[4, 7], picture[75, 7], picture[5, 6], picture[5, 73]));
        Assert.Equal(new Dictionary<int, int> { [1] = 4 }, client.ZrleTiles);
    }

    [Fact]
    public async Task One_zlib_stream_spans_every_rectangle_of_the_connection()
    {
        // 60 rectangles of noise in 6 updates; each odd one repeats the one before, so the deflater refers back
        // across rectangles. Noise hardly compresses: the inflater needs more than one read for each rectangle's 12 KB.
        using var zrle = new ZrleStream();
        var expected = new Framebuffer(320, 240);
        var random = new Random(7);
        var messages = new List<byte[]>();
        var colours = new uint[64 * 64];
        for (var update = 0; update < 6; update++)
        {
            var rectangles = new List<byte[]>();
            for (var i = 0; i < 10; i++)
            {
                if (i % 2 == 0)
                {
                    for (var p = 0; p < colours.Length; p++) colours[p] = (uint)random.Next(0x100_0000);
                }
                var (x, y) = (random.Next(320 - 64), random.Next(240 - 64));
                rectangles.Add(zrle.Rectangle(64, 64, Tile(0).Bytes(Pixels(colours)).ToArray(), x, y));
                for (var p = 0; p < colours.Length; p++) expected[x + p % 64, y + p / 64] = colours[p];
            }
            messages.Add(ServerBytes.Update([.. rectangles]));
            messages.Add(ServerBytes.Bell);
        }

        await using var client = await ConnectedAsync(PixelFormat.Rgb888, [.. messages]);
        await client.WaitUntilAsync(() => client.Bells == 6, Timeout, Ct);
        Assert.Equal((6, 60), (client.UpdatesReceived, client.ZrleRectangles));
        Assert.Equal(expected.Checksum(), client.Framebuffer.Checksum());
    }

    [Fact]
    public async Task Zlib_bytes_a_rectangle_brought_but_did_not_need_are_kept_for_the_next()
    {
        // The inflater reads its input 8 KB at a time. A rectangle that also brings the first 9000 bytes of the
        // next one's data is decoded with part of them unread; the next rectangle cannot be without them.
        using var zrle = new ZrleStream();
        var noise = Enumerable.Range(0, 64 * 64).Select(i => (uint)(i * 2654435761 >> 8) & 0xFFFFFF).ToArray();
        var first = zrle.Compress(Tile(1).Bytes(Pixels(A)).ToArray());
        var second = zrle.Compress(Tile(0).Bytes(Pixels(noise)).ToArray());
        const int Carried = 9000;
        await using var client = await ConnectedAsync(PixelFormat.Rgb888, ServerBytes.Update(
            ZrleStream.Framed(64, 64, [.. first, .. second[..Carried]]),
            ZrleStream.Framed(64, 64, second[Carried..], x: 64)));
        await client.WaitForUpdateAsync(Timeout, Ct);

        var expected = new Framebuffer(320, 240);
        for (var i = 0; i < 64 * 64; i++) (expected[i % 64, i / 64], expected[64 + i % 64, i / 64]) = (A, noise[i]);
        Assert.Equal(expected.Checksum(), client.Framebuffer.Checksum());
    }

    public static TheoryData<string> Formats => [.. CompactPixels.Keys];

    /// <summary>A format, the CPIXEL and the Raw pixel of one colour in it, and that colour.</summary>
    private static readonly Dictionary<string, (PixelFormat Format, byte[] CPixel, byte[] Pixel, uint Colour)> CompactPixels = new()
    {
        ["noVNC's: little-endian, colour in the low 3 bytes"] =
            (PixelFormat.Rgb888, [0x12, 0x34, 0x56], [0x12, 0x34, 0x56, 0x00], 0x123456),
        ["big-endian, colour in the low 3 bytes"] =
            (new(32, 24, true, true, 255, 255, 255, 0, 8, 16), [0x56, 0x34, 0x12], [0x00, 0x56, 0x34, 0x12], 0x123456),
        ["little-endian, colour in the high 3 bytes"] =
            (new(32, 24, false, true, 255, 255, 255, 8, 16, 24), [0x12, 0x34, 0x56], [0x00, 0x12, 0x34, 0x56], 0x123456),
        ["big-endian, colour in the high 3 bytes"] =
            (new(32, 24, true, true, 255, 255, 255, 8, 16, 24), [0x56, 0x34, 0x12], [0x56, 0x34, 0x12, 0x00], 0x123456),
        ["little-endian, colour in the middle 2 bytes: TigerVNC drops the low byte"] =
            (new(32, 16, false, true, 31, 63, 31, 19, 13, 8), [0x1F, 0xF8, 0x00], [0x00, 0x1F, 0xF8, 0x00], 0xFF00FF),
        ["depth 32: whole pixels"] =
            (new(32, 32, false, true, 255, 255, 255, 0, 8, 16), [0x12, 0x34, 0x56, 0x00], [0x12, 0x34, 0x56, 0x00], 0x123456),
        ["colour in the low and the high byte: whole pixels"] =
            (new(32, 24, false, true, 255, 255, 255, 0, 8, 24), [0x12, 0x34, 0x00, 0x56], [0x12, 0x34, 0x00, 0x56], 0x123456),
        ["16 bits per pixel: whole pixels"] =
            (new(16, 16, false, true, 31, 63, 31, 11, 5, 0), [0x1F, 0xF8], [0x1F, 0xF8], 0xFF00FF),
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task CPIXELs_decode_to_the_colour_of_the_Raw_pixel_they_stand_for(string format)
    {
        var (pixelFormat, cpixel, pixel, colour) = CompactPixels[format];
        using var zrle = new ZrleStream();
        var solid = zrle.Rectangle(1, 1, Tile(1).Bytes(cpixel).ToArray(), x: 0);
        var raw = zrle.Rectangle(1, 1, Tile(0).Bytes(cpixel).ToArray(), x: 1);
        var reference = ServerBytes.Rectangle(1, 1, Encodings.Raw, x: 2).Bytes(pixel).ToArray();
        await using var client = await ConnectedAsync(pixelFormat, ServerBytes.Update(solid, raw, reference));
        await client.WaitForUpdateAsync(Timeout, Ct);
        Assert.Equal((colour, colour, colour), (client.Framebuffer[0, 0], client.Framebuffer[1, 0], client.Framebuffer[2, 0]));
    }

    public static TheoryData<string> Faults => [.. BrokenTiles.Keys];

    /// <summary>A 4x4 tile that breaks the rules, and what the client says about it.</summary>
    private static readonly Dictionary<string, (byte[] Tile, string Message)> BrokenTiles = new()
    {
        ["subencoding 17"] = (Tile(17).ToArray(), "ZRLE tile subencoding 17 is undefined (17 to 127 and 129 are unused)"),
        ["subencoding 127"] = (Tile(127).ToArray(), "ZRLE tile subencoding 127 is undefined (17 to 127 and 129 are unused)"),
        ["subencoding 129"] = (Tile(129).Bytes(Pixels(A)).ToArray(), "ZRLE tile subencoding 129 is undefined (17 to 127 and 129 are unused)"),
        ["a packed index past the palette"] =
            (Tile(3).Bytes(Pixels(A, B, C)).Bytes([0b00_01_10_11, 0, 0, 0]).ToArray(), "ZRLE palette index 3 is outside the tile's palette of 3 colours"),
        ["a palette RLE index past the palette"] =
            (Tile(130).Bytes(Pixels(A, B)).U8(0x85).U8(15).ToArray(), "ZRLE palette index 5 is outside the tile's palette of 2 colours"),
        ["a run past the tile"] =
            (Tile(128).Bytes(Pixels(A)).U8(10).Bytes(Pixels(B)).U8(6).ToArray(), "a ZRLE run goes past the end of its tile (5 pixels were left)"),
        ["data ending within the tile"] =
            (Tile(0).Bytes(Pixels(A, B, C)).ToArray(), "a ZRLE rectangle's zlib data ended before its tiles did"),
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Broken_tiles_are_refused(string fault)
    {
        var (tile, message) = BrokenTiles[fault];
        using var zrle = new ZrleStream();
        await using var client = await ConnectedAsync(PixelFormat.Rgb888, ServerBytes.Update(zrle.Rectangle(4, 4, tile)));
        var error = await Assert.ThrowsAsync<RfbProtocolException>(() => client.WaitForUpdateAsync(Timeout, Ct));
        Assert.Equal(message, error.Message);
    }

    /// <summary>Decodes one tile of <paramref name="width"/> x <paramref name="height"/> at (1, 2) and compares it pixel by pixel.</summary>
    private static async Task AssertDecodesAsync(int width, int height, Wire tile, uint[] expected)
    {
        using var zrle = new ZrleStream();
        await using var client = await ConnectedAsync(PixelFormat.Rgb888, ServerBytes.Update(zrle.Rectangle(width, height, tile.ToArray(), x: 1, y: 2)));
        await client.WaitForUpdateAsync(Timeout, Ct);
        var decoded = new uint[width * height];
        for (var i = 0; i < decoded.Length; i++) decoded[i] = client.Framebuffer[1 + i % width, 2 + i / width];
        Assert.Equal(expected, decoded);
        Assert.Equal(1, client.ZrleRectangles);
    }

    private static Wire Tile(int subencoding) => new Wire().U8(subencoding);

    private static byte[] Pixels(params uint[] colours) => [.. colours.SelectMany(ZrleStream.CPixel)];

    private static async Task<RfbClient> ConnectedAsync(PixelFormat format, params byte[][] afterHandshake)
    {
        var client = new RfbClient(new ScriptedStream(Wire.Concat([ServerBytes.Handshake(RfbBanner.Version38, format), .. afterHandshake])));
        await client.HandshakeAsync(Ct);
        return client;
    }
}

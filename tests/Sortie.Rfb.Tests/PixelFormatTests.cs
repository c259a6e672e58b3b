namespace Sortie.Rfb.Tests;

public sealed class PixelFormatTests
{
    private static readonly PixelFormat Rgb565 = new(16, 16, false, true, 31, 63, 31, 11, 5, 0);

    /// <summary>noVNC's low-colour mode: 8 bits per pixel, 2 bits per channel.</summary>
    private static readonly PixelFormat NoVncLowColour = new(8, 8, false, true, 3, 3, 3, 0, 2, 4);

    [Fact]
    public void Reads_the_sixteen_bytes_it_writes()
    {
        var bytes = new byte[PixelFormat.Size];
        Rgb565.Write(bytes);
        Assert.Equal([16, 16, 0, 1, 0, 31, 0, 63, 0, 31, 11, 5, 0, 0, 0, 0], bytes);
        Assert.Equal(Rgb565, PixelFormat.Read(bytes));
    }

    [Fact]
    public void Bytes_per_pixel_follow_bits_per_pixel()
    {
        Assert.Equal(4, PixelFormat.Rgb888.BytesPerPixel);
        Assert.Equal(2, Rgb565.BytesPerPixel);
        Assert.Equal(1, NoVncLowColour.BytesPerPixel);
    }

    [Fact]
    public void Tight_pixels_take_three_bytes_only_for_8_bit_channels_in_32_bits()
    {
        Assert.Equal(3, PixelFormat.Rgb888.TightPixelSize);
        Assert.Equal(2, Rgb565.TightPixelSize);
        Assert.Equal(4, (PixelFormat.Rgb888 with { Depth = 32 }).TightPixelSize);
        Assert.Equal(4, (PixelFormat.Rgb888 with { BlueMax = 127 }).TightPixelSize);
        Assert.Equal(4, (PixelFormat.Rgb888 with { TrueColour = false }).TightPixelSize);
    }

    [Fact]
    public void The_formats_noVNC_asks_for_are_valid()
    {
        PixelFormat.Rgb888.Validate();
        NoVncLowColour.Validate();
        Rgb565.Validate();
    }

    [Fact]
    public void Colour_map_formats_are_valid()
    {
        new PixelFormat(8, 8, false, false, 0, 0, 0, 0, 0, 0).Validate();
    }

    [Theory]
    [InlineData(24)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(64)]
    public void Bits_per_pixel_must_be_8_16_or_32(byte bitsPerPixel)
    {
        var error = Assert.Throws<RfbProtocolException>(() => (PixelFormat.Rgb888 with { BitsPerPixel = bitsPerPixel }).Validate());
        Assert.Equal($"invalid pixel format: {bitsPerPixel} bits per pixel (must be 8, 16 or 32)", error.Message);
    }

    [Fact]
    public void Depth_cannot_exceed_bits_per_pixel()
    {
        var error = Assert.Throws<RfbProtocolException>(() => (Rgb565 with { Depth = 24 }).Validate());
        Assert.Equal("invalid pixel format: depth 24 with 16 bits per pixel", error.Message);
    }

    [Fact]
    public void A_channel_maximum_must_be_one_less_than_a_power_of_two()
    {
        var error = Assert.Throws<RfbProtocolException>(() => (PixelFormat.Rgb888 with { GreenMax = 200 }).Validate());
        Assert.Equal("invalid pixel format: green maximum 200 (must be 2^n - 1)", error.Message);
    }

    [Fact]
    public void A_channel_must_fit_in_the_pixel()
    {
        var error = Assert.Throws<RfbProtocolException>(() => (Rgb565 with { RedShift = 12 }).Validate());
        Assert.Equal("invalid pixel format: red channel at shift 12 does not fit in 16 bits", error.Message);
    }

    [Fact]
    public void Eight_bit_channels_in_32_bits_must_sit_on_whole_bytes()
    {
        var error = Assert.Throws<RfbProtocolException>(() => (PixelFormat.Rgb888 with { RedShift = 4, GreenShift = 12, BlueShift = 20 }).Validate());
        Assert.Equal("invalid pixel format: 8-bit channels at shifts 4/12/20, which are not whole bytes", error.Message);
    }

    [Fact]
    public void Reads_a_pixel_as_rgb()
    {
        Assert.Equal(0x112233u, PixelFormat.Rgb888.ReadRgb([0x11, 0x22, 0x33, 0x00]));
        Assert.Equal(0xFF0000u, Rgb565.ReadRgb([0x00, 0xF8]));
    }
}

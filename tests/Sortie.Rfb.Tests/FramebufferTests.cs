using Sortie.Rfb.Testing;

namespace Sortie.Rfb.Tests;

public sealed class FramebufferTests
{
    [Fact]
    public void Copying_onto_an_overlapping_region_moves_the_original_pixels()
    {
        var picture = new Framebuffer(4, 1);
        for (var x = 0; x < 4; x++) picture[x, 0] = (uint)x + 1;
        picture.Copy(0, 0, 1, 0, 3, 1);
        Assert.Equal([1u, 1, 2, 3], Enumerable.Range(0, 4).Select(x => picture[x, 0]));
    }

    [Fact]
    public void A_regions_checksum_ignores_the_rest_of_the_picture()
    {
        var picture = new Framebuffer(4, 4);
        var before = picture.Checksum(0, 0, 2, 2);
        picture[3, 3] = 0xFFFFFF;
        Assert.Equal(before, picture.Checksum(0, 0, 2, 2));
        Assert.NotEqual(before, picture.Checksum(2, 2, 2, 2));
    }

    [Fact]
    public void Counts_the_distinct_colours_of_a_region()
    {
        var picture = new Framebuffer(3, 3);
        picture[0, 0] = 1;
        picture[1, 1] = 2;
        Assert.Equal(3, picture.CountDistinctColours());
        Assert.Equal(2, picture.CountDistinctColours(0, 0, 1, 2));
    }

    [Fact]
    public void A_region_outside_the_picture_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Framebuffer(4, 4).Checksum(2, 2, 3, 1));
}

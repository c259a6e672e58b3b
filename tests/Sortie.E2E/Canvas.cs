using Microsoft.Playwright;

namespace Sortie.E2E;

/// <summary>What noVNC's canvas shows: how many colours (up to 64), and a checksum of every pixel.</summary>
public sealed record Canvas(int Colours, double Hash)
{
    /// <summary>The session page's desktop, once noVNC has connected it.</summary>
    public static ILocator Connected(IPage page) => page.Locator(".screen[data-state='connected'] canvas");

    public static async Task<Canvas> ReadAsync(IPage page)
    {
        var result = await page.EvaluateAsync<double[]>("""
            () => {
                const c = document.querySelector('.screen canvas');
                if (!c || c.width === 0) return [0, 0];
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                const colours = new Set();
                let hash = 0;
                for (let i = 0; i < d.length; i += 4) {
                    const rgb = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
                    if (colours.size < 64) colours.add(rgb);
                    hash = (hash * 31 + rgb + i) % 2147483647;
                }
                return [colours.size, hash];
            }
            """);
        return new Canvas((int)result[0], result[1]);
    }

    /// <summary>
    /// The <see cref="Hash"/> the canvas would have if it showed <paramref name="picture"/>: a picture decoded by the tests'
    /// own RFB client (its pixels are 0x00RRGGBB), compared with what noVNC drew.
    /// </summary>
    public static double HashOf(Sortie.Rfb.Testing.Framebuffer picture)
    {
        long hash = 0;
        for (var y = 0; y < picture.Height; y++)
            for (var x = 0; x < picture.Width; x++)
            {
                hash = (hash * 31 + (picture[x, y] & 0xffffff) + 4L * (y * picture.Width + x)) % 2147483647;
            }
        return hash;
    }

    /// <summary>Reads the canvas until <paramref name="done"/> holds, or the wait runs out (the last read is returned).</summary>
    public static async Task<Canvas> WaitForAsync(IPage page, Func<Canvas, bool> done, int seconds = 20)
    {
        var canvas = await ReadAsync(page);
        for (var deadline = DateTime.UtcNow.AddSeconds(seconds); !done(canvas) && DateTime.UtcNow < deadline; )
        {
            await Task.Delay(100);
            canvas = await ReadAsync(page);
        }
        return canvas;
    }

    /// <summary>Waits until the desktop is drawn and has stopped changing (the same checksum for eight reads in a row, over a second).</summary>
    public static async Task<Canvas> WaitForStillAsync(IPage page, int seconds = 20)
    {
        var last = await ReadAsync(page);
        var same = 0;
        for (var deadline = DateTime.UtcNow.AddSeconds(seconds); same < 8 && DateTime.UtcNow < deadline; )
        {
            await Task.Delay(150);
            var now = await ReadAsync(page);
            same = now == last && now.Colours > 1 ? same + 1 : 0;
            last = now;
        }
        return last;
    }
}

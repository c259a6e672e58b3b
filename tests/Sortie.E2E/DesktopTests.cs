using Microsoft.Playwright;
using Sortie.Testing;

namespace Sortie.E2E;

public sealed class DesktopTests(SortieServer server, Browser browser) : IClassFixture<SortieServer>, IClassFixture<Browser>
{
    [Fact]
    public async Task A_user_logs_in_launches_the_desktop_sees_it_and_types_into_its_terminal()
    {
        var page = await browser.NewPageAsync(server.BaseUri);

        await page.GotoAsync("/");
        await page.WaitForURLAsync("**/login**");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotDir, "login.png") });
        await page.FillAsync("#username", "admin");
        await page.FillAsync("#password", SortieServer.AdminPassword);
        await page.ClickAsync("button:has-text('Log in')");

        var desktop = page.Locator("li[data-app='desktop']");
        await desktop.WaitForAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotDir, "dashboard.png") });
        await desktop.GetByRole(AriaRole.Button, new() { Name = "Launch" }).ClickAsync();

        await page.WaitForURLAsync("**/sessions/**");
        var screen = page.Locator(".screen[data-state='connected'] canvas");
        await screen.WaitForAsync(new() { Timeout = 20_000 });
        var drawn = await WaitForCanvasAsync(page, c => c.Colours > 1);
        Assert.True(drawn.Colours > 1, "The desktop canvas stays blank.");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotDir, "session.png") });

        // The xterm has the focus (openbox gives it to the one window): typing must show on the desktop.
        await screen.ClickAsync();
        await page.Keyboard.TypeAsync("echo typed-from-the-browser");
        await page.Keyboard.PressAsync("Enter");
        var typed = await WaitForCanvasAsync(page, c => c.Hash != drawn.Hash);
        Assert.NotEqual(drawn.Hash, typed.Hash);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotDir, "session-typed.png") });

        await page.GetByRole(AriaRole.Button, new() { Name = "End session" }).ClickAsync();
        await page.WaitForURLAsync(server.BaseUri.ToString());
        await Assertions.Expect(page.GetByText("No active sessions")).ToBeVisibleAsync();
    }

    private sealed record Canvas(int Colours, double Hash);

    /// <summary>Reads noVNC's canvas until <paramref name="done"/> holds (or 10 s pass): how many colours, and a checksum.</summary>
    private static async Task<Canvas> WaitForCanvasAsync(IPage page, Func<Canvas, bool> done)
    {
        Canvas canvas = new(0, 0);
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            var result = await page.EvaluateAsync<double[]>("""
                () => {
                    const c = document.querySelector('.screen canvas');
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
            canvas = new Canvas((int)result[0], result[1]);
            if (done(canvas)) break;
        }
        return canvas;
    }
}

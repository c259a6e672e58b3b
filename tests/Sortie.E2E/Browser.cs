using Microsoft.Playwright;

namespace Sortie.E2E;

/// <summary>Debian's Chromium driven by Playwright (never a downloaded browser: there is no internet here).</summary>
public sealed class Browser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private IPlaywright? _playwright;
    public IBrowser Chromium { get; private set; } = null!;

    /// <summary>Screenshots for review land beside the test output, in screenshots/.</summary>
    public static string ScreenshotDir { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public async ValueTask InitializeAsync()
    {
        // Expectations wait for the page (they retry until true): generous, as this machine is small and busy.
        Assertions.SetDefaultExpectTimeout(20_000);
        _playwright = await Playwright.CreateAsync();
        Chromium = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // This machine has no network: keep Chromium from reaching for Google's services.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A page in a browser context of its own: one context per user, as separate browsers would be.</summary>
    public async Task<IPage> NewPageAsync(Uri baseUri, ColorScheme colorScheme = ColorScheme.Light)
    {
        var context = await Chromium.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUri.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 800 }, ColorScheme = colorScheme,
        });
        var page = await context.NewPageAsync();
        // The browser's own complaints (a failed circuit, a script error) go to the test's output.
        page.Console += (_, m) => { if (m.Type is "error" or "warning") TestContext.Current.TestOutputHelper?.WriteLine($"browser {m.Type}: {m.Text}"); };
        page.PageError += (_, e) => TestContext.Current.TestOutputHelper?.WriteLine($"browser page error: {e}");
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        if (Chromium is not null) await Chromium.DisposeAsync();
        _playwright?.Dispose();
    }
}

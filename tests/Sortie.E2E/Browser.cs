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

    /// <summary>The size the pages open at: a laptop's window.</summary>
    public static ViewportSize Desktop { get; } = new() { Width = 1280, Height = 800 };

    /// <summary>A phone held upright (an iPhone 12 to 15's CSS pixels).</summary>
    public static ViewportSize Phone { get; } = new() { Width = 390, Height = 844 };

    /// <summary>
    /// A page in a browser context of its own: one context per user, as separate browsers would be; <see cref="Desktop"/>
    /// sized unless told. The test fails if one of its same-origin scripts or styles fails or comes empty, or a script
    /// error escapes (<see cref="PageProblems"/>).
    /// </summary>
    public async Task<IPage> NewPageAsync(Uri baseUri, ColorScheme colorScheme = ColorScheme.Light, ViewportSize? viewport = null)
    {
        var context = await Chromium.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUri.ToString(), ViewportSize = viewport ?? Desktop, ColorScheme = colorScheme,
        });
        PageProblems.Watch(context, baseUri);
        var page = await context.NewPageAsync();
        // The browser's own complaints (a failed circuit, a refused connection) go to the test's output.
        var output = TestContext.Current.TestOutputHelper;
        page.Console += (_, m) => { if (m.Type is "error" or "warning") output?.WriteLine($"browser {m.Type}: {m.Text}"); };
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        if (Chromium is not null) await Chromium.DisposeAsync();
        _playwright?.Dispose();
    }
}

using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Sortie.E2E;

/// <summary>
/// What went wrong in the pages a test opened, where a user would be left with a dead or unstyled page: a script or
/// stylesheet of the portal's own (blazor.web.js, app.css, noVNC's modules…) that answered an error or nothing, or a
/// script error nobody caught. Every browser context <see cref="Browser.NewPageAsync"/> opens is watched, and every test
/// fails on what was seen (<see cref="FailOnPageProblemsAttribute"/>), whatever it asserts itself: a test cannot forget.
/// </summary>
public static class PageProblems
{
    private sealed class Seen
    {
        public readonly ConcurrentQueue<string> Problems = new();
        public readonly ConcurrentQueue<Task> BodyChecks = new();
        public readonly ConcurrentQueue<IBrowserContext> Contexts = new();
    }

    private static readonly ConcurrentDictionary<string, Seen> ByTest = new();

    /// <summary>Watches a new browser context for the running test.</summary>
    public static void Watch(IBrowserContext context, Uri baseUri)
    {
        var test = TestContext.Current.Test?.UniqueID;
        if (test is null) return;
        var seen = ByTest.GetOrAdd(test, _ => new Seen());
        seen.Contexts.Enqueue(context);
        // Once the test is over, what its pages still do (a session ending as the server stops) is no longer its business.
        void Report(string problem) { if (ByTest.ContainsKey(test)) seen.Problems.Enqueue(problem); }

        context.Response += (_, response) =>
        {
            if (response.Request.ResourceType is not ("script" or "stylesheet")) return;
            var url = new Uri(response.Url);
            if (url.Authority != baseUri.Authority) return;
            if (response.Status >= 400) Report($"{url.PathAndQuery} answered {response.Status}");
            else if (response.Status == 200) seen.BodyChecks.Enqueue(ReportIfEmptyAsync(response, url, Report));
        };
        context.WebError += (_, error) => Report($"script error on {error.Page?.Url}: {error.Error}");
    }

    private static async Task ReportIfEmptyAsync(IResponse response, Uri url, Action<string> report)
    {
        try
        {
            if ((await response.BodyAsync()).Length == 0) report($"{url.PathAndQuery} came empty");
        }
        catch (PlaywrightException) { } // the page went on before the body could be read: nothing to judge
    }

    /// <summary>The problems the test's pages showed (it waits for the pending checks), and closes its browsers.</summary>
    internal static async Task<IReadOnlyList<string>> EndAsync(string test)
    {
        if (!ByTest.TryGetValue(test, out var seen)) return [];
        try { await Task.WhenAll(seen.BodyChecks).WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (TimeoutException) { }
        ByTest.TryRemove(test, out _);
        // Closed, its pages stop drawing desktops that nobody looks at on this small machine.
        foreach (var context in seen.Contexts)
            try { await context.CloseAsync(); } catch (PlaywrightException) { }
        return [.. seen.Problems.Distinct()];
    }
}

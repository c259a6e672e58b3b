using System.Text.Json;
using Microsoft.Playwright;
using Sortie.Testing;

namespace Sortie.E2E;

/// <summary>
/// axe-core, the accessibility checker, run in the page as it is now (npm's copy, installed by scripts/setup.sh).
/// Only serious and critical violations fail a test: those keep someone from using the page.
/// </summary>
public static class Axe
{
    private static readonly string Script =
        Path.Combine(ServerProcess.RepositoryRoot(), "tests", "Sortie.E2E", "node_modules", "axe-core", "axe.min.js");

    /// <summary>Fails with a readable list of the page's serious or critical violations: rule, impact, where, and why.</summary>
    public static async Task AssertNoSeriousViolationsAsync(this IPage page, string state)
    {
        Assert.True(File.Exists(Script), $"axe-core is not installed ({Script}): run scripts/setup.sh.");
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
            await page.AddScriptTagAsync(new() { Path = Script });
        var violations = await page.EvaluateAsync<JsonElement>("""
            async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                             nodes: v.nodes.map(n => ({ target: n.target.join(' '), summary: n.failureSummary })) }))
            """);
        var found = violations.EnumerateArray().Select(v =>
            $"- {v.GetProperty("id")} ({v.GetProperty("impact")}): {v.GetProperty("help")}\n" + string.Join("\n",
                v.GetProperty("nodes").EnumerateArray().Select(n =>
                    $"    at {n.GetProperty("target")}: {n.GetProperty("summary").GetString()?.ReplaceLineEndings(" ")}")))
            .ToList();
        Assert.True(found.Count == 0, $"{state}: {found.Count} serious or critical accessibility violation(s):\n{string.Join("\n", found)}");
    }
}

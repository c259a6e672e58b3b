using Microsoft.Playwright;
using Sortie.Data;
using Sortie.Testing;
using static Microsoft.Playwright.Assertions;

namespace Sortie.E2E;

/// <summary>More of the portal as a user drives it: an admin's list of everyone's sessions, the share dialog from a card.</summary>
public static class PortalMore
{
    /// <summary>A new admin account (the built-in admin's password is not the tests' usual one) and its API client.</summary>
    public static Task<ApiClient> NewAdminAsync(this ISortieServer server) => server.NewUserAsync(UserRole.Admin);

    /// <summary>The admin's "All sessions" list in the session manager: other users' live sessions.</summary>
    public static ILocator AllSessions(this ILocator manager) => manager.GetByRole(AriaRole.List, new() { Name = "All sessions" });

    /// <summary>Opens the share dialog from a session's card in the session manager.</summary>
    public static async Task<ILocator> OpenShareDialogAsync(this IPage page, Guid sessionId)
    {
        await (await page.OpenSessionsAsync()).Card(sessionId).GetByRole(AriaRole.Button, new() { Name = "Share" }).ClickAsync();
        var dialog = page.ShareDialog();
        await Expect(dialog).ToBeVisibleAsync();
        return dialog;
    }
}

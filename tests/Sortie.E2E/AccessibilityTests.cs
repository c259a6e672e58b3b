using Microsoft.Playwright;
using Sortie.Data;
using Sortie.Testing;
using static Microsoft.Playwright.Assertions;

namespace Sortie.E2E;

/// <summary>
/// Every page and dialog, in the light and the dark theme, has no serious or critical accessibility violation
/// that axe-core finds: contrast, names, landmarks, focus.
/// </summary>
public sealed class AccessibilityTests(ProductionPortal server, Browser browser)
{
    [Theory]
    [InlineData(ColorScheme.Light)]
    [InlineData(ColorScheme.Dark)]
    public async Task Every_page_and_dialog_passes_axe(ColorScheme theme)
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        using var invitedApi = await server.NewUserAsync();
        using var joinerApi = await server.NewUserAsync();
        using var adminApi = await server.NewAdminAsync();
        await ownerApi.InviteAsync(session.Id, invitedApi.User.Username, SharePermission.ReadWrite);
        var link = await ownerApi.CreateLinkAsync(session.Id, maxUses: 3, expiresIn: 3600);

        var loggedOut = await browser.NewPageAsync(server.BaseUri, theme);
        await loggedOut.GotoAsync("/login");
        await loggedOut.AssertNoSeriousViolationsAsync("The login page");

        // A share link opened logged out: the login page says whose session it joins, then the viewer lands in it.
        var joiner = await browser.NewPageAsync(server.BaseUri, theme);
        await joiner.GotoAsync(link.ShareUrl!);
        await Expect(joiner.GetByRole(AriaRole.Heading, new() { Name = $"Log in to join {ownerApi.User.Username}'s session" })).ToBeVisibleAsync();
        await joiner.AssertNoSeriousViolationsAsync("The login page with a join waiting");
        await joiner.LogInHereAsync(joinerApi);
        await joiner.WaitForURLAsync($"**/sessions/{session.Id}");
        await joiner.WaitForDesktopAsync();
        await joiner.AssertNoSeriousViolationsAsync("The session page of a View Only viewer");

        await joiner.GotoAsync("/join/bogus");
        await Expect(joiner.GetByRole(AriaRole.Heading, new() { Name = "Cannot join this session" })).ToBeVisibleAsync();
        await joiner.AssertNoSeriousViolationsAsync("The page of a link that does not work");

        var owner = await browser.LogInAsync(server, ownerApi, theme);
        await owner.AssertNoSeriousViolationsAsync("The dashboard");
        var manager = await owner.OpenSessionsAsync();
        await owner.AssertNoSeriousViolationsAsync("The session manager");
        await manager.Card(session.Id).GetByRole(AriaRole.Button, new() { Name = "Share" }).ClickAsync();
        var dialog = owner.ShareDialog();
        await Expect(dialog.ShareRow(invitedApi.User.Username)).ToBeVisibleAsync();
        await Expect(dialog.ShareRow("Link")).ToBeVisibleAsync();
        await owner.AssertNoSeriousViolationsAsync("The share dialog, with an invite and a link");
        await owner.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToBeHiddenAsync();

        await owner.ConnectAsync(session.Id);
        await owner.AssertNoSeriousViolationsAsync("The session page of its owner");

        var admin = await browser.LogInAsync(server, adminApi, theme);
        var everyone = await admin.OpenSessionsAsync();
        await Expect(everyone.AllSessions().Locator($"li[data-session='{session.Id}']")).ToBeVisibleAsync();
        await admin.AssertNoSeriousViolationsAsync("The session manager of an admin, with All sessions");
    }
}

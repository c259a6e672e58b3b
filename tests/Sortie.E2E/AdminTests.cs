using Microsoft.Playwright;
using Sortie.Data;
using Sortie.Testing;
using static Microsoft.Playwright.Assertions;

namespace Sortie.E2E;

/// <summary>An admin finds every live session in the session manager, opens it, and ends it; users see only their own.</summary>
public sealed class AdminTests(ProductionPortal server, Browser browser)
{
    [Fact]
    public async Task An_admin_sees_all_sessions_with_owner_and_viewers_opens_one_and_terminates_it()
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        using var adminApi = await server.NewAdminAsync();
        var mine = await adminApi.LaunchDesktopAsync(320, 240);
        var watcher = await ownerApi.ViewAsync(session.Id);

        var admin = await browser.LogInAsync(server, adminApi);
        var manager = await admin.OpenSessionsAsync();
        var card = manager.AllSessions().Locator($"li[data-session='{session.Id}']");
        await Expect(card).ToContainTextAsync($"{ownerApi.User.Username}'s session");
        await Expect(card).ToContainTextAsync("1 viewer");
        await Expect(card.GetByRole(AriaRole.Link, new() { Name = "Connect" })).ToBeVisibleAsync();
        // The admin's own session is under My sessions, not twice.
        await Expect(manager.AllSessions().Locator($"li[data-session='{mine.Id}']")).ToHaveCountAsync(0);
        await Expect(manager.GetByRole(AriaRole.List, new() { Name = "My sessions" }).Locator($"li[data-session='{mine.Id}']")).ToBeVisibleAsync();
        await admin.ScreenshotAsync("session-manager-admin.png");

        // The viewer count follows.
        await watcher.DisposeAsync();
        await Expect(card).ToContainTextAsync("0 viewers");

        await card.GetByRole(AriaRole.Link, new() { Name = "Connect" }).ClickAsync();
        await admin.WaitForURLAsync($"**/sessions/{session.Id}");
        await admin.WaitForDesktopAsync();
        await Expect(admin.Locator(".sessionbar")).ToContainTextAsync($"{ownerApi.User.Username}'s session");

        await admin.GotoAsync("/");
        manager = await admin.OpenSessionsAsync();
        await manager.AllSessions().Locator($"li[data-session='{session.Id}']").GetByRole(AriaRole.Button, new() { Name = "Terminate" }).ClickAsync();
        var confirm = admin.GetByRole(AriaRole.Dialog, new() { Name = "Terminate this session?" });
        await Expect(confirm).ToContainTextAsync($"{ownerApi.User.Username}'s desktop session closes for good");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Terminate" }).ClickAsync();
        await Expect(manager.Locator($"li[data-session='{session.Id}']")).ToHaveCountAsync(0);
        await ownerApi.WaitForStatusAsync(session.Id, SessionStatus.Terminated);
    }

    [Fact]
    public async Task A_user_sees_no_All_sessions_and_their_own_session_page_says_Your_session()
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        var (_, other) = await server.NewRunningSessionAsync();
        var owner = await browser.LogInAsync(server, ownerApi);
        var manager = await owner.OpenSessionsAsync();
        await Expect(manager.Card(session.Id)).ToBeVisibleAsync();
        await Expect(manager.AllSessions()).ToHaveCountAsync(0);
        await Expect(manager.Card(other.Id)).ToHaveCountAsync(0);

        await owner.ConnectAsync(session.Id);
        await Expect(owner.Locator(".sessionbar").GetByText("Your session", new() { Exact = true })).ToBeVisibleAsync();
    }
}

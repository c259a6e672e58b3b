using Microsoft.Playwright;
using Sortie.Data;
using Sortie.Testing;
using static Microsoft.Playwright.Assertions;

namespace Sortie.E2E;

/// <summary>Sharing in the browser: the session manager, the share dialog, the session page and join links,
/// each user in a browser context of their own, against a real server and real desktops.</summary>
public sealed class SharingTests(SortieServer server, Browser browser) : IClassFixture<SortieServer>, IClassFixture<Browser>
{
    [Fact]
    public async Task The_owner_shares_from_a_card_and_sees_the_invited_user_as_View_Only_and_closing_the_dialog_leaves_the_manager_open()
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        using var viewerApi = await server.NewUserAsync();
        var owner = await browser.LogInAsync(server, ownerApi);

        var manager = await owner.OpenSessionsAsync();
        var card = manager.Card(session.Id);
        await Expect(card.GetByRole(AriaRole.Link, new() { Name = "Connect" })).ToBeVisibleAsync();
        await Expect(card.GetByRole(AriaRole.Button, new() { Name = "Terminate" })).ToBeVisibleAsync();
        await card.GetByRole(AriaRole.Button, new() { Name = "Share" }).ClickAsync();

        // Enter in the username field invites, with the permission chosen above it (View Only unless changed).
        var dialog = owner.ShareDialog();
        var username = dialog.GetByLabel("Username");
        await username.FillAsync(viewerApi.User.Username);
        await username.PressAsync("Enter");
        var row = dialog.ShareRow(viewerApi.User.Username);
        var permission = row.GetByRole(AriaRole.Combobox, new() { Name = $"Permission for {viewerApi.User.Username}" });
        await Expect(permission).ToHaveValueAsync(nameof(SharePermission.ReadOnly));
        await Expect(permission.Locator("option:checked")).ToHaveTextAsync("View Only");
        await Expect(username).ToHaveValueAsync("");
        await dialog.ScreenshotAsync("share-dialog-invited.png");

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Close the share dialog" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(manager).ToBeVisibleAsync();
        await Expect(card).ToBeVisibleAsync();

        // Escape closes only the dialog on top, too.
        await card.GetByRole(AriaRole.Button, new() { Name = "Share" }).ClickAsync();
        await Expect(dialog).ToBeVisibleAsync();
        await owner.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(manager).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_viewer_sees_whose_share_it_is_connects_View_Only_and_their_typing_does_not_reach_the_desktop_while_the_owners_does()
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        using var viewerApi = await server.NewUserAsync();
        await ownerApi.InviteAsync(session.Id, viewerApi.User.Username, SharePermission.ReadOnly);

        var viewer = await browser.LogInAsync(server, viewerApi);
        var manager = await viewer.OpenSessionsAsync();
        var card = manager.Card(session.Id);
        await Expect(card.Locator(".badge.shared")).ToHaveTextAsync($"Shared by {ownerApi.User.Username}");
        await Expect(card.GetByText("View Only", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(card.GetByRole(AriaRole.Button, new() { Name = "Remove from my list" })).ToBeVisibleAsync();
        await Expect(card.GetByRole(AriaRole.Button, new() { Name = "Share" })).ToHaveCountAsync(0);
        await Expect(card.GetByRole(AriaRole.Button, new() { Name = "Terminate" })).ToHaveCountAsync(0);
        await manager.ScreenshotAsync("session-manager-shared.png");

        await card.GetByRole(AriaRole.Link, new() { Name = "Connect" }).ClickAsync();
        await viewer.WaitForURLAsync($"**/sessions/{session.Id}");
        await viewer.WaitForDesktopAsync();
        await Expect(viewer.Locator(".screen")).ToHaveAttributeAsync("data-view-only", "true");
        await Expect(viewer.GetByText("your keyboard and mouse do not reach this desktop")).ToBeVisibleAsync();
        var bar = viewer.Locator(".sessionbar");
        await Expect(bar.GetByText("View Only", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(bar.GetByRole(AriaRole.Button, new() { Name = "Clipboard" })).ToHaveCountAsync(0);
        await Expect(bar.GetByRole(AriaRole.Button, new() { Name = "Share" })).ToHaveCountAsync(0);
        await Expect(bar.GetByRole(AriaRole.Button, new() { Name = "End session" })).ToHaveCountAsync(0);

        var owner = await browser.LogInAsync(server, ownerApi);
        await owner.ConnectAsync(session.Id);
        await Expect(owner.Locator(".screen")).ToHaveAttributeAsync("data-view-only", "false");
        await Expect(owner.Locator(".viewer-count")).ToContainTextAsync("2 connected");

        // A known screen: the owner clears the terminal. Each page's own canvas is compared with itself only:
        // the two connections may be sent different (lossy) encodings of the same desktop.
        await owner.ClickTerminalAsync();
        await owner.Keyboard.TypeAsync("clear");
        await owner.Keyboard.PressAsync("Enter");
        var ownerCleared = await Canvas.WaitForStillAsync(owner);
        var viewerCleared = await Canvas.WaitForStillAsync(viewer);
        await viewer.ScreenshotAsync("session-view-only.png");

        // The viewer types a command, without Enter. Then the owner types "clear" and presses Enter: had the
        // viewer's keys reached the terminal, its line would read "echo viewer-typedclear", and the screen
        // would not come back to the cleared one. The owner's keys show as they are typed.
        await viewer.ClickTerminalAsync();
        await viewer.Keyboard.TypeAsync("echo viewer-typed");
        await owner.Keyboard.TypeAsync("clear");
        var ownerTyped = await Canvas.WaitForAsync(owner, c => c != ownerCleared);
        Assert.NotEqual(ownerCleared, ownerTyped);
        await owner.Keyboard.PressAsync("Enter");
        Assert.Equal(ownerCleared, await Canvas.WaitForAsync(owner, c => c == ownerCleared));
        Assert.Equal(viewerCleared, await Canvas.WaitForAsync(viewer, c => c == viewerCleared));
    }

    [Fact]
    public async Task The_owner_generates_a_link_and_a_logged_out_user_who_opens_it_logs_in_and_lands_in_the_session()
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        using var thirdApi = await server.NewUserAsync();
        var owner = await browser.LogInAsync(server, ownerApi);
        await owner.ConnectAsync(session.Id);

        // From the session page's own Share button this time.
        await owner.Locator(".sessionbar").GetByRole(AriaRole.Button, new() { Name = "Share" }).ClickAsync();
        var dialog = owner.ShareDialog();
        await dialog.GetByLabel("Full Access").CheckAsync();
        await dialog.GetByLabel("Expires").SelectOptionAsync(new SelectOptionValue { Label = "In 1 hour" });
        await dialog.GetByLabel("Max uses").FillAsync("2");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Generate Share Link" }).ClickAsync();
        var linkField = dialog.GetByRole(AriaRole.Textbox, new() { Name = "Share link" });
        await Expect(linkField).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(
            $"^{System.Text.RegularExpressions.Regex.Escape(server.BaseUri.ToString())}join/[A-Za-z0-9_-]+$"));
        var link = await linkField.InputValueAsync();
        var linkRow = dialog.ShareRow("Link");
        await Expect(linkRow).ToContainTextAsync("0 of 2 uses");
        await Expect(linkRow).ToContainTextAsync("expires in");
        await Expect(linkRow.GetByRole(AriaRole.Combobox)).ToHaveValueAsync(nameof(SharePermission.ReadWrite));

        // Logged out: the link goes through the login page and back, then joins.
        var third = await browser.NewPageAsync(server.BaseUri);
        await third.GotoAsync(link);
        await third.WaitForURLAsync("**/login?**");
        await third.LogInHereAsync(thirdApi);
        await third.WaitForURLAsync($"**/sessions/{session.Id}");
        await third.WaitForDesktopAsync();
        var bar = third.Locator(".sessionbar");
        await Expect(bar.Locator(".badge.shared")).ToHaveTextAsync($"Shared by {ownerApi.User.Username}");
        await Expect(bar.GetByText("Full Access", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(third.Locator(".screen")).ToHaveAttributeAsync("data-view-only", "false");

        // The owner's dialog follows: one use taken, the user who joined, and who is watching now.
        await Expect(linkRow).ToContainTextAsync("1 of 2 uses");
        await Expect(dialog.ShareRow(thirdApi.User.Username)).ToContainTextAsync("joined through a link");
        await Expect(dialog.Locator($"li[data-viewer='{thirdApi.User.Username}']")).ToBeVisibleAsync();
        await Expect(dialog.Locator($"li[data-viewer='{ownerApi.User.Username}']")).ToBeVisibleAsync();
        await dialog.ScreenshotAsync("share-dialog-link.png");

        // The session is in their session manager now.
        await third.GotoAsync("/");
        var manager = await third.OpenSessionsAsync();
        await Expect(manager.Card(session.Id).Locator(".badge.shared")).ToHaveTextAsync($"Shared by {ownerApi.User.Username}");
    }

    [Fact]
    public async Task A_logged_in_user_who_opens_a_link_joins_at_once_and_a_bad_or_revoked_link_shows_a_clear_page()
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        using var userApi = await server.NewUserAsync();
        var link = await ownerApi.CreateLinkAsync(session.Id);
        var revoked = await ownerApi.CreateLinkAsync(session.Id);
        (await ownerApi.Http.DeleteAsync($"/api/sessions/{session.Id}/shares/{revoked.Id}")).EnsureSuccessStatusCode();
        var user = await browser.LogInAsync(server, userApi);

        await user.GotoAsync("/join/not-a-real-link");
        await Expect(user.GetByRole(AriaRole.Heading, new() { Name = "Cannot join this session" })).ToBeVisibleAsync();
        await Expect(user.GetByText("it may be wrong, revoked, expired or used up")).ToBeVisibleAsync();
        await Expect(user.GetByRole(AriaRole.Link, new() { Name = "Go to the dashboard" })).ToBeVisibleAsync();
        await user.ScreenshotAsync("join-bad-link.png");

        await user.GotoAsync(revoked.ShareUrl!);
        await Expect(user.GetByRole(AriaRole.Heading, new() { Name = "Cannot join this session" })).ToBeVisibleAsync();

        await user.GotoAsync(link.ShareUrl!);
        await user.WaitForURLAsync($"**/sessions/{session.Id}");
        await user.WaitForDesktopAsync();
        await Expect(user.Locator(".screen")).ToHaveAttributeAsync("data-view-only", "true");
    }

    [Fact]
    public async Task Revoking_removes_the_viewers_card_and_ends_their_live_view_with_a_message()
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        using var viewerApi = await server.NewUserAsync();
        await ownerApi.InviteAsync(session.Id, viewerApi.User.Username);

        var watching = await browser.LogInAsync(server, viewerApi);
        await watching.ConnectAsync(session.Id);
        // The same user's other tab, with the session manager open.
        var listing = await watching.Context.NewPageAsync();
        await listing.GotoAsync("/");
        var card = (await listing.OpenSessionsAsync()).Card(session.Id);
        await Expect(card).ToBeVisibleAsync();

        var owner = await browser.LogInAsync(server, ownerApi);
        await (await owner.OpenSessionsAsync()).Card(session.Id).GetByRole(AriaRole.Button, new() { Name = "Share" }).ClickAsync();
        var dialog = owner.ShareDialog();
        await Expect(dialog.Locator($"li[data-viewer='{viewerApi.User.Username}']")).ToBeVisibleAsync();
        await dialog.ShareRow(viewerApi.User.Username).GetByRole(AriaRole.Button, new() { Name = $"Revoke {viewerApi.User.Username}" }).ClickAsync();
        await Expect(dialog.ShareRow(viewerApi.User.Username)).ToHaveCountAsync(0);
        await Expect(dialog.GetByText("Nobody is connected.")).ToBeVisibleAsync();

        var notice = watching.GetByRole(AriaRole.Alert).Filter(new() { HasText = "revoked" });
        await Expect(notice).ToContainTextAsync("Your access to this session was revoked.");
        await Expect(notice.GetByRole(AriaRole.Link, new() { Name = "Back to the dashboard" })).ToBeVisibleAsync();
        await Expect(watching.Locator(".screen")).ToBeHiddenAsync();
        await watching.ScreenshotAsync("session-revoked.png");

        await Expect(card).ToHaveCountAsync(0);
        await Expect(listing.SessionManager().GetByText("No active sessions")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Inviting_an_unknown_user_yourself_or_someone_twice_shows_why_in_the_dialog()
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        using var viewerApi = await server.NewUserAsync();
        var owner = await browser.LogInAsync(server, ownerApi);
        await (await owner.OpenSessionsAsync()).Card(session.Id).GetByRole(AriaRole.Button, new() { Name = "Share" }).ClickAsync();
        var dialog = owner.ShareDialog();
        var username = dialog.GetByLabel("Username");
        var error = dialog.GetByRole(AriaRole.Alert);

        await username.FillAsync("nobody-by-this-name");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Invite" }).ClickAsync();
        await Expect(error).ToHaveTextAsync("There is no user named 'nobody-by-this-name'.");
        await dialog.ScreenshotAsync("share-dialog-error.png");

        await username.FillAsync(ownerApi.User.Username);
        await username.PressAsync("Enter");
        await Expect(error).ToHaveTextAsync("You cannot share a session with yourself.");

        await username.FillAsync(viewerApi.User.Username);
        await username.PressAsync("Enter");
        await Expect(dialog.ShareRow(viewerApi.User.Username)).ToBeVisibleAsync();
        await Expect(error).ToHaveCountAsync(0);
        await username.FillAsync(viewerApi.User.Username);
        await username.PressAsync("Enter");
        await Expect(error).ToHaveTextAsync($"{viewerApi.User.Username} already has access, with View Only.");
    }

    [Fact]
    public async Task A_permission_change_reconnects_the_viewer_with_the_new_permission()
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        using var viewerApi = await server.NewUserAsync();
        await ownerApi.InviteAsync(session.Id, viewerApi.User.Username, SharePermission.ReadOnly);
        var viewer = await browser.LogInAsync(server, viewerApi);
        await viewer.ConnectAsync(session.Id);
        await Expect(viewer.Locator(".screen")).ToHaveAttributeAsync("data-view-only", "true");

        var owner = await browser.LogInAsync(server, ownerApi);
        await (await owner.OpenSessionsAsync()).Card(session.Id).GetByRole(AriaRole.Button, new() { Name = "Share" }).ClickAsync();
        await owner.ShareDialog().GetByRole(AriaRole.Combobox, new() { Name = $"Permission for {viewerApi.User.Username}" })
            .SelectOptionAsync(new SelectOptionValue { Label = "Full Access" });

        await Expect(viewer.GetByText("Your permission changed: you now have Full Access.")).ToBeVisibleAsync();
        await Expect(viewer.Locator(".screen")).ToHaveAttributeAsync("data-view-only", "false");
        await Expect(viewer.Locator(".sessionbar").GetByText("Full Access", new() { Exact = true })).ToBeVisibleAsync();
        await viewer.WaitForDesktopAsync();
        await Expect(viewer.Locator(".sessionbar").GetByRole(AriaRole.Button, new() { Name = "Clipboard" })).ToBeVisibleAsync();

        // Full Access: now their typing shows (measured from after the click, which may change the terminal's cursor).
        await viewer.ClickTerminalAsync();
        var before = await Canvas.WaitForStillAsync(viewer);
        await viewer.Keyboard.TypeAsync("echo full-access");
        var typed = await Canvas.WaitForAsync(viewer, c => c.Hash != before.Hash);
        Assert.NotEqual(before.Hash, typed.Hash);
        await viewer.ScreenshotAsync("session-full-access.png");
    }

    [Fact]
    public async Task Terminating_from_the_manager_asks_first_and_the_viewer_is_told_the_session_ended()
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        using var viewerApi = await server.NewUserAsync();
        await ownerApi.InviteAsync(session.Id, viewerApi.User.Username);
        var viewer = await browser.LogInAsync(server, viewerApi);
        await viewer.ConnectAsync(session.Id);

        var owner = await browser.LogInAsync(server, ownerApi);
        var manager = await owner.OpenSessionsAsync();
        await manager.Card(session.Id).GetByRole(AriaRole.Button, new() { Name = "Terminate" }).ClickAsync();
        var confirm = owner.GetByRole(AriaRole.Dialog, new() { Name = "Terminate this session?" });
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(confirm).ToBeHiddenAsync();
        await Expect(manager.Card(session.Id)).ToBeVisibleAsync();

        await manager.Card(session.Id).GetByRole(AriaRole.Button, new() { Name = "Terminate" }).ClickAsync();
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Terminate" }).ClickAsync();
        await Expect(manager.Card(session.Id)).ToHaveCountAsync(0);
        await Expect(manager.GetByText("No active sessions")).ToBeVisibleAsync();

        await Expect(viewer.GetByRole(AriaRole.Alert).Filter(new() { HasText = "ended" })).ToContainTextAsync("The session ended.");
        await Expect(viewer.GetByRole(AriaRole.Link, new() { Name = "Back to the dashboard" }).Last).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_viewer_removes_a_shared_session_from_their_list()
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        using var viewerApi = await server.NewUserAsync();
        await ownerApi.InviteAsync(session.Id, viewerApi.User.Username);
        var viewer = await browser.LogInAsync(server, viewerApi);
        var manager = await viewer.OpenSessionsAsync();

        await manager.Card(session.Id).GetByRole(AriaRole.Button, new() { Name = "Remove from my list" }).ClickAsync();
        await viewer.GetByRole(AriaRole.Dialog, new() { Name = "Remove from my list?" })
            .GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Expect(manager.Card(session.Id)).ToHaveCountAsync(0);
        await Expect(manager.GetByText("No active sessions")).ToBeVisibleAsync();
        Assert.Empty(await ownerApi.GetAsync<List<Sortie.Sharing.ShareDto>>($"/api/sessions/{session.Id}/shares"));
    }

    [Fact]
    public async Task A_user_with_no_sessions_sees_No_active_sessions()
    {
        using var userApi = await server.NewUserAsync();
        var page = await browser.LogInAsync(server, userApi, ColorScheme.Dark);
        var manager = await page.OpenSessionsAsync();
        await Expect(manager.GetByText("No active sessions")).ToBeVisibleAsync();
        await page.ScreenshotAsync("session-manager-empty-dark.png");
    }

    [Fact]
    public async Task The_session_manager_opens_and_closes_from_the_keyboard_with_a_visible_focus_ring()
    {
        using var userApi = await server.NewUserAsync();
        var page = await browser.LogInAsync(server, userApi);
        var sessions = page.GetByRole(AriaRole.Button, new() { Name = "Sessions" });
        await Expect(sessions).ToBeEnabledAsync();

        for (var tabs = 0; tabs < 10 && !await sessions.EvaluateAsync<bool>("b => b === document.activeElement"); tabs++)
            await page.Keyboard.PressAsync("Tab");
        await Expect(sessions).ToBeFocusedAsync();
        Assert.Equal("solid", await sessions.EvaluateAsync<string>("b => getComputedStyle(b).outlineStyle"));

        await page.Keyboard.PressAsync("Enter");
        await Expect(page.SessionManager()).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.SessionManager()).ToBeHiddenAsync();
        await Expect(sessions).ToBeFocusedAsync();
    }

    [Fact]
    public async Task The_manager_lists_my_sessions_then_those_shared_with_me_and_follows_new_shares_live()
    {
        var (ownerApi, shared) = await server.NewRunningSessionAsync();
        using var meApi = await server.NewUserAsync();
        var mine = await meApi.LaunchDesktopAsync(320, 240);
        var me = await browser.LogInAsync(server, meApi);
        var manager = await me.OpenSessionsAsync();
        await Expect(manager.Card(mine.Id)).ToBeVisibleAsync();
        await Expect(manager.Card(shared.Id)).ToHaveCountAsync(0);

        // Shared while the manager is open: the card appears, after mine.
        await ownerApi.InviteAsync(shared.Id, meApi.User.Username, SharePermission.ReadWrite);
        await Expect(manager.Card(shared.Id)).ToBeVisibleAsync();
        await Expect(manager.Card(shared.Id).GetByText("Full Access", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(manager.Locator("li[data-session]")).ToHaveCountAsync(2);
        await Expect(manager.Locator("li[data-session]").First).ToHaveAttributeAsync("data-session", mine.Id.ToString());
        await Expect(me.GetByRole(AriaRole.Button, new() { Name = "Sessions" })).ToContainTextAsync("2");
        await me.ScreenshotAsync("session-manager.png");
    }
}

using Microsoft.Playwright;
using Sortie.Data;
using Sortie.Testing;
using static Microsoft.Playwright.Assertions;

namespace Sortie.E2E;

/// <summary>Sharing in the browser: the session manager, the share dialog, the session page and join links,
/// each user in a browser context of their own, against a real server and real desktops.</summary>
public sealed class SharingTests(ProductionPortal server, Browser browser)
{
    [Fact]
    public async Task Alice_launches_her_desktop_shares_it_View_Only_with_bob_whose_typing_does_not_reach_it_and_revoking_him_ends_his_view()
    {
        using var aliceApi = await server.NewUserAsync(name: "alice");
        using var bobApi = await server.NewUserAsync(name: "bob");
        var alice = await browser.LogInAsync(server, aliceApi);
        var sessionId = await alice.LaunchAsync("desktop");
        await alice.WaitForDesktopAsync();

        // She shares it from her session manager: the card's Share, bob's name and Enter, with the permission chosen
        // above it (View Only unless changed).
        await alice.GotoAsync("/");
        var aliceManager = await alice.OpenSessionsAsync();
        var aliceCard = aliceManager.Card(sessionId);
        await Expect(aliceCard.GetByRole(AriaRole.Button, new() { Name = "Terminate" })).ToBeVisibleAsync();
        await aliceCard.GetByRole(AriaRole.Button, new() { Name = "Share" }).ClickAsync();
        var dialog = alice.ShareDialog();
        var username = dialog.GetByLabel("Username");
        await username.FillAsync("bob");
        await username.PressAsync("Enter");
        var permission = dialog.ShareRow("bob").GetByRole(AriaRole.Combobox, new() { Name = "Permission for bob" });
        await Expect(permission).ToHaveValueAsync(nameof(SharePermission.ReadOnly));
        await Expect(permission.Locator("option:checked")).ToHaveTextAsync("View Only");
        await Expect(username).ToHaveValueAsync("");

        // Closing the dialog (its ✕, or Escape) leaves the manager under it open.
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Close the share dialog" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(aliceCard).ToBeVisibleAsync();
        await aliceCard.GetByRole(AriaRole.Button, new() { Name = "Share" }).ClickAsync();
        await Expect(dialog).ToBeVisibleAsync();
        await alice.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(aliceManager).ToBeVisibleAsync();

        // Bob finds it in his session manager: alice's, in purple, View Only, and not his to share or end.
        var bob = await browser.LogInAsync(server, bobApi);
        var bobCard = (await bob.OpenSessionsAsync()).Card(sessionId);
        var badge = bobCard.Locator(".badge.shared");
        await Expect(badge).ToHaveTextAsync("Shared by alice");
        await Expect(badge).ToHaveCSSAsync("color", "rgb(124, 58, 237)");
        await Expect(bobCard.GetByText("View Only", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(bobCard.GetByRole(AriaRole.Button, new() { Name = "Remove from my list" })).ToBeVisibleAsync();
        await Expect(bobCard.GetByRole(AriaRole.Button, new() { Name = "Share" })).ToHaveCountAsync(0);
        await Expect(bobCard.GetByRole(AriaRole.Button, new() { Name = "Terminate" })).ToHaveCountAsync(0);
        await bob.ScreenshotAtBothSizesAsync("session-manager-shared");
        // His other tab keeps the manager open, to see the card go.
        var bobsList = await bob.Context.NewPageAsync();
        await bobsList.GotoAsync("/");
        var bobsListedCard = (await bobsList.OpenSessionsAsync()).Card(sessionId);

        await bobCard.GetByRole(AriaRole.Link, new() { Name = "Connect" }).ClickAsync();
        await bob.WaitForURLAsync($"**/sessions/{sessionId}");
        await bob.WaitForDesktopAsync();
        await Expect(bob.Locator(".screen")).ToHaveAttributeAsync("data-view-only", "true");
        await Expect(bob.GetByText("your keyboard and mouse do not reach this desktop")).ToBeVisibleAsync();
        var bar = bob.Locator(".sessionbar");
        await Expect(bar.GetByText("View Only", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(bar.GetByRole(AriaRole.Button, new() { Name = "Clipboard" })).ToHaveCountAsync(0);
        await Expect(bar.GetByRole(AriaRole.Button, new() { Name = "Share" })).ToHaveCountAsync(0);
        await Expect(bar.GetByRole(AriaRole.Button, new() { Name = "End session" })).ToHaveCountAsync(0);

        await aliceCard.GetByRole(AriaRole.Link, new() { Name = "Connect" }).ClickAsync();
        await alice.WaitForURLAsync($"**/sessions/{sessionId}");
        await alice.WaitForDesktopAsync();
        await Expect(alice.Locator(".screen")).ToHaveAttributeAsync("data-view-only", "false");
        await Expect(alice.Locator(".viewer-count")).ToContainTextAsync("2 connected");

        // A known screen: alice clears the terminal (launched at her window's size, the desktop has its xterm in the
        // middle). Each page's own canvas is compared with itself only: the two connections may be sent different
        // (lossy) encodings of the same desktop.
        await Canvas.Connected(alice).ClickAsync();
        await alice.Keyboard.TypeAsync("clear");
        await alice.Keyboard.PressAsync("Enter");
        var aliceCleared = await Canvas.WaitForStillAsync(alice);
        var bobCleared = await Canvas.WaitForStillAsync(bob);

        // Bob types a command, without Enter. Then alice types "clear" and presses Enter: had bob's keys reached
        // the terminal, its line would read "echo bob-typedclear", and the screen would not come back to the
        // cleared one. Alice's keys show as they are typed.
        await Canvas.Connected(bob).ClickAsync();
        await bob.Keyboard.TypeAsync("echo bob-typed");
        await alice.Keyboard.TypeAsync("clear");
        var aliceTyped = await Canvas.WaitForAsync(alice, c => c != aliceCleared);
        Assert.NotEqual(aliceCleared, aliceTyped);
        // Bob watches her type.
        Assert.NotEqual(bobCleared, await Canvas.WaitForAsync(bob, c => c != bobCleared));
        await alice.Keyboard.PressAsync("Enter");
        Assert.Equal(aliceCleared, await Canvas.WaitForAsync(alice, c => c == aliceCleared));
        // Bob's view is not compared pixel for pixel with his earlier one: the server may send a region again in lossy
        // JPEG (Tight), which need not decode to the same pixels twice (a full run once saw it differ while alice's, the
        // proof that his keys did not reach the terminal, matched).
        await bob.ScreenshotAtBothSizesAsync("session-view-only");

        // Alice revokes him from her session page's own Share button: his view ends with the reason, his card goes.
        await alice.Locator(".sessionbar").GetByRole(AriaRole.Button, new() { Name = "Share" }).ClickAsync();
        await Expect(dialog.Locator("li[data-viewer='bob']")).ToBeVisibleAsync();
        await dialog.ShareRow("bob").GetByRole(AriaRole.Button, new() { Name = "Revoke bob" }).ClickAsync();
        await Expect(dialog.ShareRow("bob")).ToHaveCountAsync(0);
        await Expect(dialog.Locator("li[data-viewer='bob']")).ToHaveCountAsync(0);

        var notice = bob.GetByRole(AriaRole.Alert).Filter(new() { HasText = "revoked" });
        await Expect(notice).ToContainTextAsync("Your access to this session was revoked.");
        await Expect(notice.GetByRole(AriaRole.Link, new() { Name = "Back to the dashboard" })).ToBeVisibleAsync();
        await Expect(bob.Locator(".screen")).ToBeHiddenAsync();
        await bob.ScreenshotAsync("session-revoked.png");
        await Expect(bobsListedCard).ToHaveCountAsync(0);
        await Expect(bobsList.SessionManager().GetByText("No active sessions")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_link_brings_a_logged_out_user_through_the_login_into_the_session_with_Full_Access_and_revoking_it_disconnects_him()
    {
        using var carolApi = await server.NewUserAsync(name: "carol");
        var session = await carolApi.LaunchDesktopAsync(320, 240);
        using var daveApi = await server.NewUserAsync(name: "dave");
        var carol = await browser.LogInAsync(server, carolApi);
        await (await carol.OpenSessionsAsync()).Card(session.Id).GetByRole(AriaRole.Button, new() { Name = "Share" }).ClickAsync();
        var dialog = carol.ShareDialog();
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
        var dave = await browser.NewPageAsync(server.BaseUri);
        await dave.GotoAsync(link);
        await dave.WaitForURLAsync("**/login?**");
        await dave.LogInHereAsync(daveApi);
        await dave.WaitForURLAsync($"**/sessions/{session.Id}");
        await dave.WaitForDesktopAsync();
        var bar = dave.Locator(".sessionbar");
        await Expect(bar.Locator(".badge.shared")).ToHaveTextAsync("Shared by carol");
        await Expect(bar.GetByText("Full Access", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(dave.Locator(".screen")).ToHaveAttributeAsync("data-view-only", "false");

        // Carol's dialog follows: one use taken, the user who joined, and who is watching now.
        await Expect(linkRow).ToContainTextAsync("1 of 2 uses");
        await Expect(dialog.ShareRow("dave")).ToContainTextAsync("joined through a link");
        await Expect(dialog.Locator("li[data-viewer='dave']")).ToBeVisibleAsync();
        await carol.ScreenshotAtBothSizesAsync("share-dialog-link", dialog);

        // Revoking the link revokes whoever joined through it: dave is disconnected, and told why.
        await linkRow.GetByRole(AriaRole.Button, new() { Name = "Revoke Link" }).ClickAsync();
        await Expect(linkRow).ToHaveCountAsync(0);
        await Expect(dialog.ShareRow("dave")).ToHaveCountAsync(0);
        await Expect(dave.GetByRole(AriaRole.Alert).Filter(new() { HasText = "revoked" }))
            .ToContainTextAsync("Your access to this session was revoked.");
        await Expect(dave.Locator(".screen")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task A_logged_in_user_who_opens_a_link_joins_at_once_and_a_bad_or_revoked_link_shows_a_clear_page()
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        using var userApi = await server.NewUserAsync();
        var link = await ownerApi.CreateLinkAsync(session.Id);
        var revoked = await ownerApi.CreateLinkAsync(session.Id);
        (await ownerApi.Http.DeleteAsync($"/api/sessions/{session.Id}/shares/{revoked.Id}", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
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

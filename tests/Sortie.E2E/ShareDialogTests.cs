using Microsoft.Playwright;
using Sortie.Data;
using Sortie.Testing;
using static Microsoft.Playwright.Assertions;

namespace Sortie.E2E;

/// <summary>The share dialog in plain words: its focus order, what it says after an invite or a refusal, and its colours.</summary>
public sealed class ShareDialogTests(ProductionPortal server, Browser browser)
{
    [Fact]
    public async Task The_dialog_opens_on_Permission_confirms_an_invite_and_offers_Change_permission_for_someone_who_has_access()
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        using var viewerApi = await server.NewUserAsync();
        var name = viewerApi.User.Username;
        var owner = await browser.LogInAsync(server, ownerApi);
        var dialog = await owner.OpenShareDialogAsync(session.Id);

        // The guide's order: the permission first, then whom to invite.
        await Expect(dialog.GetByLabel("View Only")).ToBeFocusedAsync();
        await owner.Keyboard.PressAsync("Tab");
        var username = dialog.GetByLabel("Username");
        await Expect(username).ToBeFocusedAsync();

        await username.FillAsync(name);
        await username.PressAsync("Enter");
        await Expect(dialog.GetByRole(AriaRole.Status).Filter(new() { HasText = name }))
            .ToHaveTextAsync($"{name} can now watch this session: View Only.");

        // Again, with the same permission: plain words, nothing to change.
        await username.FillAsync(name);
        await username.PressAsync("Enter");
        var error = dialog.GetByRole(AriaRole.Alert);
        await Expect(error).ToHaveTextAsync($"{name} already has access, with View Only.");
        await Expect(dialog).Not.ToContainTextAsync("PATCH");
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Change permission" })).ToHaveCountAsync(0);

        // With Full Access chosen: the refusal offers to change theirs instead.
        await dialog.GetByLabel("Full Access").CheckAsync();
        await username.FillAsync(name);
        await username.PressAsync("Enter");
        await Expect(error).ToHaveTextAsync($"{name} already has access, with View Only.");
        await dialog.ScreenshotAsync("share-dialog-has-access.png");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Change permission to Full Access" }).ClickAsync();
        await Expect(dialog.ShareRow(name).GetByRole(AriaRole.Combobox)).ToHaveValueAsync(nameof(SharePermission.ReadWrite));
        await Expect(dialog.GetByRole(AriaRole.Status).Filter(new() { HasText = name }))
            .ToHaveTextAsync($"{name} can now watch and use this session: Full Access.");
        await Expect(error).ToHaveCountAsync(0);
        Assert.Equal(SharePermission.ReadWrite,
            (await ownerApi.GetAsync<List<Sortie.Sharing.ShareDto>>($"/api/sessions/{session.Id}/shares")).Single().Permission);
    }

    [Fact]
    public async Task Max_uses_refuses_a_decimal_and_takes_a_whole_number()
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        var owner = await browser.LogInAsync(server, ownerApi);
        var dialog = await owner.OpenShareDialogAsync(session.Id);
        var maxUses = dialog.GetByLabel("Max uses");
        var generate = dialog.GetByRole(AriaRole.Button, new() { Name = "Generate Share Link" });

        await maxUses.FillAsync("2.5");
        await generate.ClickAsync();
        await Expect(dialog.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Max uses must be a whole number, at least 1 (or empty for no limit).");
        await Expect(dialog.ShareRow("Link")).ToHaveCountAsync(0);

        await maxUses.FillAsync("2");
        await generate.ClickAsync();
        await Expect(dialog.ShareRow("Link")).ToContainTextAsync("0 of 2 uses");
        await Expect(dialog.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Names_under_Current_Shares_keep_the_text_colour_from_the_manager_and_from_the_session_page_and_Terminate_reads_well()
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        using var viewerApi = await server.NewUserAsync();
        await ownerApi.InviteAsync(session.Id, viewerApi.User.Username);
        var owner = await browser.LogInAsync(server, ownerApi);

        var dialog = await owner.OpenShareDialogAsync(session.Id);
        await AssertNameInTextColourAsync(dialog, viewerApi.User.Username);
        await owner.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToBeHiddenAsync();

        // The app here is called "desktop": the confirmation must not say "the desktop desktop".
        await owner.SessionManager().Card(session.Id).GetByRole(AriaRole.Button, new() { Name = "Terminate" }).ClickAsync();
        var confirm = owner.GetByRole(AriaRole.Dialog, new() { Name = "Terminate this session?" });
        await Expect(confirm).ToContainTextAsync("Your desktop session closes for good");
        await Expect(confirm).Not.ToContainTextAsync("desktop desktop");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        await owner.ConnectAsync(session.Id);
        await owner.Locator(".sessionbar").GetByRole(AriaRole.Button, new() { Name = "Share" }).ClickAsync();
        await AssertNameInTextColourAsync(owner.ShareDialog(), viewerApi.User.Username);
    }

    private static async Task AssertNameInTextColourAsync(ILocator dialog, string who)
    {
        var name = dialog.ShareRow(who).Locator("strong");
        await Expect(name).ToHaveTextAsync(who);
        Assert.Equal(await dialog.EvaluateAsync<string>("d => getComputedStyle(d).color"),
            await name.EvaluateAsync<string>("n => getComputedStyle(n).color"));
    }
}

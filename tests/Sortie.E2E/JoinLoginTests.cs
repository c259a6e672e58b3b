using Microsoft.Playwright;
using Sortie.Sharing;
using Sortie.Testing;
using static Microsoft.Playwright.Assertions;

namespace Sortie.E2E;

/// <summary>A share link opened logged out: the login page says whose session it joins, and only for a link that works.</summary>
public sealed class JoinLoginTests(ProductionPortal server, Browser browser)
{
    [Fact]
    public async Task The_login_page_names_the_owner_of_a_working_link_takes_no_use_by_looking_and_the_login_lands_in_the_session()
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        using var userApi = await server.NewUserAsync();
        var link = await ownerApi.CreateLinkAsync(session.Id, maxUses: 1);

        var page = await browser.NewPageAsync(server.BaseUri);
        await page.GotoAsync(link.ShareUrl!);
        await page.WaitForURLAsync("**/login?**");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Log in to join {ownerApi.User.Username}'s session" })).ToBeVisibleAsync();
        await Expect(page.Locator(".login")).ToContainTextAsync($"{ownerApi.User.Username}'s desktop session opens as soon as you are logged in.");
        await page.ScreenshotAsync("login-join.png");
        // Looking twice takes none of the link's one use.
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Log in to join {ownerApi.User.Username}'s session" })).ToBeVisibleAsync();
        Assert.Equal(0, (await LinkAsync(ownerApi, session.Id, link.Id)).Uses);

        await page.LogInHereAsync(userApi);
        await page.WaitForURLAsync($"**/sessions/{session.Id}");
        await page.WaitForDesktopAsync();
        Assert.Equal(1, (await LinkAsync(ownerApi, session.Id, link.Id)).Uses);
    }

    [Fact]
    public async Task A_wrong_revoked_expired_or_used_up_link_gets_the_same_neutral_login_page()
    {
        var (ownerApi, session) = await server.NewRunningSessionAsync();
        using var firstApi = await server.NewUserAsync();
        var revoked = await ownerApi.CreateLinkAsync(session.Id);
        (await ownerApi.Http.DeleteAsync($"/api/sessions/{session.Id}/shares/{revoked.Id}", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        var usedUp = await ownerApi.CreateLinkAsync(session.Id, maxUses: 1);
        (await firstApi.JoinAsync(usedUp.ShareUrl!)).EnsureSuccessStatusCode();
        var expired = await ownerApi.CreateLinkAsync(session.Id, expiresIn: 1);
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);

        var page = await browser.NewPageAsync(server.BaseUri);
        foreach (var link in new[] { "/join/not-a-real-link", revoked.ShareUrl!, usedUp.ShareUrl!, expired.ShareUrl! })
        {
            await page.GotoAsync(link);
            await page.WaitForURLAsync("**/login?**");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Log in to join a shared session" })).ToBeVisibleAsync();
            await Expect(page.Locator("main")).Not.ToContainTextAsync(ownerApi.User.Username);
            await Expect(page.Locator("main")).Not.ToContainTextAsync("desktop");
        }
    }

    private static async Task<ShareDto> LinkAsync(ApiClient owner, Guid sessionId, Guid linkId) =>
        (await owner.GetAsync<List<ShareDto>>($"/api/sessions/{sessionId}/shares")).Single(s => s.Id == linkId);
}

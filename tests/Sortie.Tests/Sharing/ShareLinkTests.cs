using Microsoft.Extensions.DependencyInjection;
using Sortie.Data;
using Sortie.Sessions;
using Sortie.Sharing;

namespace Sortie.Tests.Sharing;

/// <summary>Share links: their tokens, and what joining through one gives (each test joins a few times: the
/// per-address join limit of this class's server is 60 a minute).</summary>
public sealed class ShareLinkTests(NoDesktopServer server) : IClassFixture<NoDesktopServer>
{
    private static string TokenOf(ShareDto link) => ApiClient.TokenOf(link.ShareUrl!);

    private static async Task<ShareDto> ShareAsync(ApiClient owner, Guid sessionId, Guid shareId) =>
        (await owner.GetAsync<List<ShareDto>>($"/api/sessions/{sessionId}/shares")).Single(s => s.Id == shareId);

    [Fact]
    public async Task A_link_token_has_at_least_128_random_bits_and_is_url_safe()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        var tokens = new List<string>();
        for (var i = 0; i < 3; i++) tokens.Add(TokenOf(await owner.CreateLinkAsync(session.Id)));

        Assert.All(tokens, t => Assert.Matches("^[A-Za-z0-9_-]+$", t));
        Assert.All(tokens, t => Assert.True(t.Length * 6 >= 128, $"'{t}' carries fewer than 128 bits"));
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
    }

    [Fact]
    public async Task A_copy_of_the_database_holds_no_usable_link()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        var token = TokenOf(await owner.CreateLinkAsync(session.Id));

        var copies = await server.DatabaseCopiesAsync(); // the SQLite files, or a pg_dump
        Assert.NotEmpty(copies);
        foreach (var (_, text) in copies) Assert.DoesNotContain(token, text);
    }

    [Fact]
    public async Task The_share_list_comes_in_pages_newest_first_each_share_once()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        var created = new List<Guid>();
        for (var i = 0; i < 7; i++) created.Add((await owner.CreateLinkAsync(session.Id)).Id);

        var seen = new List<Guid>();
        string? before = null;
        while (true)
        {
            var page = await owner.GetAsync<List<ShareDto>>($"/api/sessions/{session.Id}/shares?limit=3{(before is null ? "" : $"&before={before}")}");
            Assert.True(page.Count <= 3);
            if (page.Count == 0) break;
            seen.AddRange(page.Select(s => s.Id));
            before = page[^1].Id.ToString();
        }

        Assert.Equal(Enumerable.Reverse(created), seen);
        await ProblemAssert.IsProblemAsync(await owner.Http.GetAsync($"/api/sessions/{session.Id}/shares?limit=501", TestContext.Current.CancellationToken), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await owner.Http.GetAsync($"/api/sessions/{session.Id}/shares?before={Guid.NewGuid()}", TestContext.Current.CancellationToken), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_owner_can_copy_an_active_link_again_from_the_share_list()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        var link = await owner.CreateLinkAsync(session.Id, SharePermission.ReadWrite, maxUses: 3, expiresIn: 3600);

        var listed = await ShareAsync(owner, session.Id, link.Id);
        Assert.Equal(link.ShareUrl, listed.ShareUrl);
        Assert.StartsWith(new Uri(server.BaseUri, "/join/").ToString(), listed.ShareUrl);
        Assert.Equal((ShareKind.Link, SharePermission.ReadWrite, 3, 0), (listed.Kind, listed.Permission, listed.MaxUses, listed.Uses));
        Assert.NotNull(listed.ExpiresAt);
    }

    [Fact]
    public async Task Bad_revoked_expired_and_used_up_links_all_answer_the_same_404()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var first = await server.NewUserAsync();
        using var joiner = await server.NewUserAsync();
        var revoked = await owner.CreateLinkAsync(session.Id);
        await owner.Http.DeleteAsync($"/api/sessions/{session.Id}/shares/{revoked.Id}", TestContext.Current.CancellationToken);
        var usedUp = await owner.CreateLinkAsync(session.Id, maxUses: 1);
        await ApiClient.ReadAsync<SessionDto>(await first.JoinAsync(usedUp.ShareUrl!));
        var expired = await owner.CreateLinkAsync(session.Id, expiresIn: 1);
        server.Clock.Advance(TimeSpan.FromSeconds(1.1));

        string[] urls = ["/join/not-a-token", "/join/" + new string('A', 43), revoked.ShareUrl!, usedUp.ShareUrl!, expired.ShareUrl!];
        var details = new List<string>();
        foreach (var url in urls) details.Add(await ProblemAssert.IsProblemAsync(await joiner.JoinAsync(url), HttpStatusCode.NotFound));

        Assert.Single(details.Distinct());
        Assert.Empty(await joiner.GetAsync<List<SessionDto>>("/api/sessions/shared"));
    }

    [Fact]
    public async Task A_preview_names_the_owner_and_app_of_a_working_link_takes_no_use_and_tells_nothing_of_any_other()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var first = await server.NewUserAsync();
        var sharing = server.Services.GetRequiredService<SharingService>();
        var link = await owner.CreateLinkAsync(session.Id, maxUses: 1);
        var revoked = await owner.CreateLinkAsync(session.Id);
        await owner.Http.DeleteAsync($"/api/sessions/{session.Id}/shares/{revoked.Id}", TestContext.Current.CancellationToken);
        var expired = await owner.CreateLinkAsync(session.Id, expiresIn: 1);
        server.Clock.Advance(TimeSpan.FromSeconds(1.1));

        Assert.Equal(new LinkPreview(owner.User.Username, "desktop", Recorded: false), await sharing.PreviewAsync(TokenOf(link), CancellationToken.None));
        Assert.Equal(new LinkPreview(owner.User.Username, "desktop", Recorded: false), await sharing.PreviewAsync(TokenOf(link), CancellationToken.None));
        Assert.Equal(0, (await ShareAsync(owner, session.Id, link.Id)).Uses);

        await ApiClient.ReadAsync<SessionDto>(await first.JoinAsync(link.ShareUrl!)); // its one use: used up now
        foreach (var token in new[] { null, "", "not-a-token", new string('A', 43), TokenOf(revoked), TokenOf(expired), TokenOf(link) })
            Assert.Null(await sharing.PreviewAsync(token, CancellationToken.None));
    }

    [Fact]
    public async Task A_join_takes_one_use_and_joining_again_takes_none()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var bob = await server.NewUserAsync();
        using var carol = await server.NewUserAsync();
        using var dave = await server.NewUserAsync();
        var link = await owner.CreateLinkAsync(session.Id, maxUses: 2);

        var first = await ApiClient.ReadAsync<SessionDto>(await bob.JoinAsync(link.ShareUrl!));
        var again = await ApiClient.ReadAsync<SessionDto>(await bob.JoinAsync(link.ShareUrl!));
        Assert.Equal(1, (await ShareAsync(owner, session.Id, link.Id)).Uses);
        Assert.Equal((first.Id, first.SharePermission, first.ShareId), (again.Id, again.SharePermission, again.ShareId));

        await ApiClient.ReadAsync<SessionDto>(await carol.JoinAsync(link.ShareUrl!));
        Assert.Equal(2, (await ShareAsync(owner, session.Id, link.Id)).Uses);
        await ProblemAssert.IsProblemAsync(await dave.JoinAsync(link.ShareUrl!), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_joined_user_sees_the_session_in_their_shared_list_with_the_link_permission()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var bob = await server.NewUserAsync();
        var link = await owner.CreateLinkAsync(session.Id, SharePermission.ReadWrite);

        var joined = await ApiClient.ReadAsync<SessionDto>(await bob.JoinAsync(link.ShareUrl!));

        Assert.Equal((session.Id, true, owner.User.Username, SharePermission.ReadWrite), (joined.Id, joined.IsShared, joined.OwnerUsername, joined.SharePermission));
        var shared = Assert.Single(await bob.GetAsync<List<SessionDto>>("/api/sessions/shared"));
        Assert.Equal((session.Id, true, owner.User.Username, SharePermission.ReadWrite), (shared.Id, shared.IsShared, shared.OwnerUsername, shared.SharePermission));
    }

    [Fact]
    public async Task The_owner_opening_their_own_link_gets_the_session_and_no_share()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        var link = await owner.CreateLinkAsync(session.Id, maxUses: 1);

        var joined = await ApiClient.ReadAsync<SessionDto>(await owner.JoinAsync(link.ShareUrl!));

        Assert.Equal((session.Id, false), (joined.Id, joined.IsShared));
        var only = Assert.Single(await owner.GetAsync<List<ShareDto>>($"/api/sessions/{session.Id}/shares"));
        Assert.Equal((link.Id, 0), (only.Id, only.Uses));
    }

    [Fact]
    public async Task An_invited_user_opening_a_link_keeps_their_one_share()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var bob = await server.NewUserAsync();
        var invite = await owner.InviteAsync(session.Id, bob.User.Username, SharePermission.ReadOnly);
        var link = await owner.CreateLinkAsync(session.Id, SharePermission.ReadWrite);

        var joined = await ApiClient.ReadAsync<SessionDto>(await bob.JoinAsync(link.ShareUrl!));

        Assert.Equal((invite.Id, SharePermission.ReadOnly), (joined.ShareId, joined.SharePermission));
        Assert.Equal(0, (await ShareAsync(owner, session.Id, link.Id)).Uses);
        Assert.Single(await owner.GetAsync<List<ShareDto>>($"/api/sessions/{session.Id}/shares"), s => s.UserId == bob.User.Id);
    }

    [Fact]
    public async Task Revoking_a_link_revokes_everyone_who_joined_through_it()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var bob = await server.NewUserAsync();
        using var carol = await server.NewUserAsync();
        var link = await owner.CreateLinkAsync(session.Id);
        await bob.JoinAsync(link.ShareUrl!);
        await carol.JoinAsync(link.ShareUrl!);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/sessions/{session.Id}/shares/{link.Id}", TestContext.Current.CancellationToken)).StatusCode);

        foreach (var user in new[] { bob, carol })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await user.Http.GetAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken)).StatusCode);
            Assert.Empty(await user.GetAsync<List<SessionDto>>("/api/sessions/shared"));
        }
        Assert.Empty(await owner.GetAsync<List<ShareDto>>($"/api/sessions/{session.Id}/shares"));
    }

    [Fact]
    public async Task Changing_a_link_changes_everyone_who_joined_through_it()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var bob = await server.NewUserAsync();
        var link = await owner.CreateLinkAsync(session.Id, SharePermission.ReadOnly);
        await bob.JoinAsync(link.ShareUrl!);

        var changed = await owner.ChangeShareAsync(session.Id, link.Id, SharePermission.ReadWrite);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        Assert.Equal(SharePermission.ReadWrite, (await bob.GetAsync<SessionDto>($"/api/sessions/{session.Id}")).SharePermission);
        var joined = (await owner.GetAsync<List<ShareDto>>($"/api/sessions/{session.Id}/shares")).Single(s => s.UserId == bob.User.Id);
        Assert.Equal((link.Id, SharePermission.ReadWrite), (joined.ViaLinkId, joined.Permission));
    }

    [Fact]
    public async Task A_user_who_joined_through_a_link_is_changed_through_the_link_not_on_their_own()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var bob = await server.NewUserAsync();
        var link = await owner.CreateLinkAsync(session.Id, SharePermission.ReadOnly);
        var joined = await ApiClient.ReadAsync<SessionDto>(await bob.JoinAsync(link.ShareUrl!));

        var response = await owner.ChangeShareAsync(session.Id, joined.ShareId!.Value, SharePermission.ReadWrite);

        Assert.Contains("link", await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Conflict));
        Assert.Equal(SharePermission.ReadOnly, (await bob.GetAsync<SessionDto>($"/api/sessions/{session.Id}")).SharePermission);
    }
}

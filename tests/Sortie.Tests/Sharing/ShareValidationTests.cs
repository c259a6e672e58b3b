using System.Text;
using Sortie.Data;
using Sortie.Sessions;
using Sortie.Sharing;

namespace Sortie.Tests.Sharing;

/// <summary>What a share request may say: rules of the API and the database, none of the desktop (no sandbox starts).</summary>
public sealed class ShareValidationTests(NoDesktopServer server) : IClassFixture<NoDesktopServer>
{
    private static async Task<string> PostRawAsync(ApiClient client, Guid sessionId, string json, HttpStatusCode status) =>
        await ProblemAssert.IsProblemAsync(await client.Http.PostAsync($"/api/sessions/{sessionId}/shares",
            new StringContent(json, Encoding.UTF8, "application/json")), status);

    [Fact]
    public async Task Malformed_json_is_400()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        Assert.Contains("JSON", await PostRawAsync(owner, session.Id, """{"username": "al""", HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task An_unknown_field_is_400()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var alice = await server.NewUserAsync();
        var detail = await PostRawAsync(owner, session.Id, $$"""{"username":"{{alice.User.Username}}","admin":true}""", HttpStatusCode.BadRequest);
        Assert.Contains("admin", detail);
    }

    [Fact]
    public async Task A_huge_unknown_username_is_404_without_being_echoed_whole()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        var huge = new string('x', 10 * 1024 * 1024);
        var detail = await PostRawAsync(owner, session.Id, $$"""{"username":"{{huge}}"}""", HttpStatusCode.NotFound);
        Assert.StartsWith("There is no user named 'xxxx", detail);
        Assert.True(detail.Length < 200, $"The detail is {detail.Length} characters long.");
    }

    [Theory]
    [InlineData("\"owner\"")]
    [InlineData("\"READ_ONLY\"")]
    [InlineData("\"\"")]
    [InlineData("1")]
    [InlineData("null")]
    public async Task A_permission_other_than_the_two_is_400_never_a_default(string permission)
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var alice = await server.NewUserAsync();
        await PostRawAsync(owner, session.Id, $$"""{"username":"{{alice.User.Username}}","permission":{{permission}}}""", HttpStatusCode.BadRequest);
        Assert.Empty(await owner.GetAsync<List<ShareDto>>($"/api/sessions/{session.Id}/shares"));
    }

    [Fact]
    public async Task A_missing_permission_means_read_only()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var alice = await server.NewUserAsync();
        var response = await owner.Http.PostAsync($"/api/sessions/{session.Id}/shares",
            new StringContent($$"""{"username":"{{alice.User.Username}}"}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(SharePermission.ReadOnly, (await ApiClient.ReadAsync<ShareDto>(response)).Permission);
    }

    [Theory]
    [InlineData("""{"permission":"read_only"}""")]
    [InlineData("""{"username":"someone","link_share":true}""")]
    [InlineData("""{"link_share":false}""")]
    public async Task Neither_or_both_of_username_and_link_share_is_400(string json)
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        await PostRawAsync(owner, session.Id, json, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_unknown_username_is_404()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        var detail = await ProblemAssert.IsProblemAsync(await owner.PostAsync($"/api/sessions/{session.Id}/shares",
            new CreateShareRequest("no-such-user")), HttpStatusCode.NotFound);
        Assert.Contains("no-such-user", detail);
    }

    [Fact]
    public async Task Sharing_with_yourself_is_400()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        var detail = await ProblemAssert.IsProblemAsync(await owner.PostAsync($"/api/sessions/{session.Id}/shares",
            new CreateShareRequest(owner.User.Username)), HttpStatusCode.BadRequest);
        Assert.Contains("yourself", detail);
    }

    [Fact]
    public async Task An_admin_sharing_with_the_owner_is_400()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var admin = await server.AdminAsync();
        await ProblemAssert.IsProblemAsync(await admin.PostAsync($"/api/sessions/{session.Id}/shares",
            new CreateShareRequest(owner.User.Username)), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Inviting_a_user_who_has_a_share_is_409_and_PATCH_changes_it()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var alice = await server.NewUserAsync();
        var share = await owner.InviteAsync(session.Id, alice.User.Username);

        var detail = await ProblemAssert.IsProblemAsync(await owner.PostAsync($"/api/sessions/{session.Id}/shares",
            new CreateShareRequest(alice.User.Username, Permission: SharePermission.ReadWrite)), HttpStatusCode.Conflict);
        Assert.Contains("PATCH", detail);

        var changed = await ApiClient.ReadAsync<ShareDto>(await owner.ChangeShareAsync(session.Id, share.Id, SharePermission.ReadWrite));
        Assert.Equal(SharePermission.ReadWrite, changed.Permission);
        Assert.Equal(SharePermission.ReadWrite, (await alice.GetAsync<SessionDto>($"/api/sessions/{session.Id}")).SharePermission);
    }

    [Fact]
    public async Task Concurrent_invites_of_one_user_make_one_share()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var alice = await server.NewUserAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => owner.PostAsync($"/api/sessions/{session.Id}/shares",
            new CreateShareRequest(alice.User.Username, Permission: i % 2 == 0 ? SharePermission.ReadOnly : SharePermission.ReadWrite))));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Single(await owner.GetAsync<List<ShareDto>>($"/api/sessions/{session.Id}/shares"));
    }

    [Fact]
    public async Task A_session_that_is_not_running_cannot_be_shared()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        using var alice = await server.NewUserAsync();
        await owner.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
        await ProblemAssert.IsProblemAsync(await owner.PostAsync($"/api/sessions/{session.Id}/shares",
            new CreateShareRequest(alice.User.Username)), HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("""{"link_share":true,"max_uses":0}""")]
    [InlineData("""{"link_share":true,"max_uses":-3}""")]
    [InlineData("""{"link_share":true,"expires_in":0}""")]
    [InlineData("""{"link_share":true,"expires_at":"2001-01-01T00:00:00Z"}""")]
    [InlineData("""{"link_share":true,"expires_in":60,"expires_at":"2099-01-01T00:00:00Z"}""")]
    [InlineData("""{"link_share":true,"expires_at":"tomorrow"}""")]
    [InlineData("""{"username":"someone","max_uses":2}""")]
    public async Task Bad_link_limits_are_400(string json)
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        await PostRawAsync(owner, session.Id, json, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_share_of_another_session_is_404_and_left_alone()
    {
        var (owner, session) = await server.NewRunningSessionAsync();
        var other = await owner.LaunchDesktopAsync(320, 240);
        var otherLink = await owner.CreateLinkAsync(other.Id);

        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.DeleteAsync($"/api/sessions/{session.Id}/shares/{otherLink.Id}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.ChangeShareAsync(session.Id, otherLink.Id, SharePermission.ReadWrite)).StatusCode);
        var still = Assert.Single(await owner.GetAsync<List<ShareDto>>($"/api/sessions/{other.Id}/shares"));
        Assert.Equal(SharePermission.ReadOnly, still.Permission);
    }

    [Fact]
    public async Task A_url_app_has_no_session_to_share()
    {
        // Only container sessions exist to be shared: a url app never becomes a session at all.
        using var owner = await server.NewUserAsync();
        var docs = await owner.AppAsync("docs");
        Assert.Equal(LaunchType.Url, docs.LaunchType);
        await ProblemAssert.IsProblemAsync(await owner.PostAsync("/api/sessions", new CreateSessionRequest(docs.Id)), HttpStatusCode.BadRequest);
    }
}

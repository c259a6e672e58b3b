using Sortie.Data;
using Sortie.Sessions;
using Sortie.Sharing;

namespace Sortie.Tests.Sharing;

/// <summary>Every sharing endpoint, asked by every kind of caller.</summary>
public sealed class ShareAuthorizationTests(SharedSessionFixture app) : IClassFixture<SharedSessionFixture>
{
    private static readonly string[] Callers = ["anonymous", "owner", "read_only", "read_write", "stranger", "admin"];

    public static TheoryData<string, string, string?, int[]> Endpoints => new()
    {
        // method, path ({s} session, {l} its link share), body; statuses for: anonymous, owner, read_only, read_write, stranger, admin
        { "POST",  "/api/sessions/{s}/shares",      """{"link_share":true}""",        [401, 201, 403, 403, 404, 201] },
        { "GET",   "/api/sessions/{s}/shares",      null,                             [401, 200, 403, 403, 404, 200] },
        { "PATCH", "/api/sessions/{s}/shares/{l}",  """{"permission":"read_only"}""", [401, 200, 403, 403, 404, 200] },
        { "GET",   "/api/sessions/{s}",             null,                             [401, 200, 200, 200, 404, 200] },
        { "GET",   "/api/sessions/shared",          null,                             [401, 200, 200, 200, 200, 200] },
        { "GET",   "/api/sessions/{s}/audit",       null,                             [401, 200, 403, 403, 404, 200] },
        { "GET",   "/api/admin/audit",              null,                             [401, 403, 403, 403, 403, 200] },
        { "WS",    "/ws/sessions/{s}",              null,                             [401, 101, 101, 101, 404, 101] },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Each_caller_gets_the_answer_the_policy_gives(string method, string path, string? body, int[] statuses)
    {
        for (var i = 0; i < Callers.Length; i++)
        {
            var client = app.As(Callers[i]);
            int actual;
            if (method == "WS") actual = (int)await client.UpgradeStatusAsync(app.Session.Id);
            else
            {
                var request = new HttpRequestMessage(new HttpMethod(method),
                    path.Replace("{s}", app.Session.Id.ToString()).Replace("{l}", app.Link.Id.ToString()));
                if (body is not null) request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
                actual = (int)(await client.Http.SendAsync(request, TestContext.Current.CancellationToken)).StatusCode;
            }
            Assert.True(statuses[i] == actual, $"{method} {path} as {Callers[i]}: expected {statuses[i]}, got {actual}");
        }
    }

    [Theory]
    [InlineData("anonymous", 401)]
    [InlineData("read_only", 403)]
    [InlineData("read_write", 403)]
    [InlineData("stranger", 404)]
    public async Task Only_the_owner_or_an_admin_revokes_a_share(string caller, int status)
    {
        var link = await app.Owner.CreateLinkAsync(app.Session.Id);
        var response = await app.As(caller).Http.DeleteAsync($"/api/sessions/{app.Session.Id}/shares/{link.Id}", TestContext.Current.CancellationToken);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(await app.Owner.GetAsync<List<ShareDto>>($"/api/sessions/{app.Session.Id}/shares"), s => s.Id == link.Id);
    }

    [Theory]
    [InlineData("owner")]
    [InlineData("admin")]
    public async Task The_owner_or_an_admin_revokes_a_share(string caller)
    {
        var link = await app.Owner.CreateLinkAsync(app.Session.Id);
        var response = await app.As(caller).Http.DeleteAsync($"/api/sessions/{app.Session.Id}/shares/{link.Id}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.DoesNotContain(await app.Owner.GetAsync<List<ShareDto>>($"/api/sessions/{app.Session.Id}/shares"), s => s.Id == link.Id);
    }

    [Theory]
    [InlineData("read_only")]
    [InlineData("read_write")]
    public async Task A_shared_user_cannot_end_the_session(string caller)
    {
        await ProblemAssert.IsProblemAsync(await app.As(caller).Http.DeleteAsync($"/api/sessions/{app.Session.Id}", TestContext.Current.CancellationToken), HttpStatusCode.Forbidden);
        Assert.Equal(SessionStatus.Running, (await app.Owner.GetAsync<SessionDto>($"/api/sessions/{app.Session.Id}")).Status);
    }

    [Fact]
    public async Task Joining_needs_credentials() =>
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.AnonymousClient.JoinAsync(app.Link.ShareUrl!)).StatusCode);

    [Fact]
    public async Task A_shared_user_sees_how_they_reach_the_session()
    {
        var asReadOnly = await app.ReadOnly.GetAsync<SessionDto>($"/api/sessions/{app.Session.Id}");
        Assert.True(asReadOnly.IsShared);
        Assert.Equal(SharePermission.ReadOnly, asReadOnly.SharePermission);
        Assert.Equal(app.Owner.User.Username, asReadOnly.OwnerUsername);
        Assert.NotNull(asReadOnly.ShareId);

        var listed = Assert.Single(await app.ReadWrite.GetAsync<List<SessionDto>>("/api/sessions/shared"), s => s.Id == app.Session.Id);
        Assert.Equal(SharePermission.ReadWrite, listed.SharePermission);
        Assert.True(listed.IsShared);

        var asOwner = await app.Owner.GetAsync<SessionDto>($"/api/sessions/{app.Session.Id}");
        Assert.False(asOwner.IsShared);
        Assert.Null(asOwner.SharePermission);
    }
}

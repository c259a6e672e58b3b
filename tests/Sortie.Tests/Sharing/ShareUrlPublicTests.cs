using Sortie.Data;
using Sortie.Sharing;

namespace Sortie.Tests.Sharing;

/// <summary>With SORTIE_PUBLIC_URL, every link names it, whoever asks and however they reached the portal.</summary>
public sealed class ShareUrlPublicTests(ShareUrlPublicTests.Server server) : IClassFixture<ShareUrlPublicTests.Server>
{
    public sealed class Server : NoDesktopServer
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("SORTIE_PUBLIC_URL", "https://sortie.example.com/team/")];
    }

    [Fact]
    public async Task Created_and_listed_links_start_with_the_public_url()
    {
        var (owner, session) = await server.NewRunningSessionAsync();

        var link = await owner.CreateLinkAsync(session.Id, SharePermission.ReadWrite);
        var listed = (await owner.GetAsync<List<ShareDto>>($"/api/sessions/{session.Id}/shares")).Single(s => s.Id == link.Id);

        Assert.StartsWith("https://sortie.example.com/team/join/", link.ShareUrl);
        Assert.Equal(link.ShareUrl, listed.ShareUrl);
        // The token in it still works here.
        using var bob = await server.NewUserAsync();
        Assert.Equal(session.Id, (await ApiClient.ReadAsync<Sortie.Sessions.SessionDto>(await bob.JoinAsync(link.ShareUrl!))).Id);
    }
}

namespace Sortie.Tests.Hosting;

public sealed class HostingTests(SortieServer server) : IClassFixture<SortieServer>
{
    [Fact]
    public async Task Health_and_readiness_answer_without_credentials()
    {
        using var anon = server.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await anon.Http.GetAsync("/healthz", TestContext.Current.CancellationToken)).StatusCode);
        var ready = await anon.Http.GetAsync("/readyz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"runner\":\"ok\"", await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_openapi_document_and_the_explorer_are_served()
    {
        using var anon = server.Anonymous();
        var doc = await anon.Http.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        Assert.Contains("/api/sessions", doc);
        Assert.Contains("/api/auth/login", doc);
        Assert.Equal(HttpStatusCode.OK, (await anon.Http.GetAsync("/scalar", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task The_signing_key_is_generated_into_the_data_dir_readable_by_the_server_alone()
    {
        using var _ = await server.AdminAsync();
        var key = new FileInfo(Path.Combine(server.DataDir, "keys", "jwt-signing.key"));
        Assert.True(key.Exists);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, key.UnixFileMode);
    }
}

using System.Text.Json.Nodes;
using Sortie.Data;

namespace Sortie.Tests.Kubernetes;

/// <summary>
/// A real Sortie server with SORTIE_RUNNER=kubernetes, its API pointed at <see cref="FakeKubernetesApi"/>: a session
/// launched through the API becomes a pod, ends when its pod's app does, and its pod goes when it is terminated.
/// </summary>
public sealed class KubernetesServerTests : IAsyncLifetime
{
    private sealed class Server(FakeKubernetesApi api, FakeVncServer vnc) : SortieServer
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [
            new("SORTIE_RUNNER", "kubernetes"),
            new("SORTIE_K8S_API", api.Url),
            new("SORTIE_K8S_NAMESPACE", "desktops"),
            new("SORTIE_K8S_IMAGE", "registry.example.org/sortie/desktop:1"),
            new("SORTIE_K8S_VNC_PORT", vnc.Port.ToString()),
            new("SORTIE_K8S_START_TIMEOUT", "10s"),
        ];
    }

    private FakeKubernetesApi _api = null!;
    private FakeVncServer _vnc = null!;
    private Server _server = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await FakeKubernetesApi.StartAsync();
        _api.StatusOnCreate = () => FakeKubernetesApi.RunningStatus();
        _vnc = new FakeVncServer();
        _server = new Server(_api, _vnc);
        await _server.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _api.DisposeAsync();
        await _vnc.DisposeAsync();
    }

    [Fact]
    public async Task A_launched_desktop_is_a_pod_and_terminating_it_deletes_the_pod_and_its_policy()
    {
        using var user = await _server.NewUserAsync();
        var session = await user.LaunchDesktopAsync(800, 600);
        var name = $"sortie-{session.Id:N}";

        var pod = Assert.Single(_api.Requests, r => r.Method == "POST" && r.Path == "/api/v1/namespaces/desktops/pods").Body!;
        Assert.Equal(name, pod["metadata"]!["name"]!.GetValue<string>());
        var app = pod["spec"]!["containers"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "app")!;
        var command = app["env"]!.AsArray().Single(e => e!["name"]!.GetValue<string>() == "SORTIE_APP_COMMAND")!["value"]!.GetValue<string>();
        using (var admin = await _server.AdminAsync())
            Assert.Equal((await admin.AppAsync("desktop")).Command, command);
        Assert.NotNull(_api.Policy(name));
        using (var ready = await _server.Anonymous().Http.GetAsync("/readyz", TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        using var deleted = await user.Http.DeleteAsync($"/api/sessions/{session.Id}", TestContext.Current.CancellationToken);
        Assert.True(deleted.IsSuccessStatusCode);
        Assert.True(await Eventually.TrueAsync(() => _api.Pod(name) is null && _api.Policy(name) is null));
    }

    [Fact]
    public async Task When_the_pods_app_exits_the_session_is_terminated_with_the_reason()
    {
        using var user = await _server.NewUserAsync();
        var session = await user.LaunchDesktopAsync(640, 480);
        var name = $"sortie-{session.Id:N}";

        _api.SetStatus(name, FakeKubernetesApi.Status("Running", "127.0.0.1", containerStatuses: new JsonArray(
            FakeKubernetesApi.ContainerStatus("vnc", new JsonObject { ["running"] = new JsonObject() }),
            FakeKubernetesApi.ContainerStatus("app", new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = 1 } }))));

        var ended = await user.WaitForStatusAsync(session.Id, SessionStatus.Terminated);
        Assert.Equal("The application exited.", ended.Reason);
        Assert.True(await Eventually.TrueAsync(() => _api.Pod(name) is null && _api.Policy(name) is null));
    }
}

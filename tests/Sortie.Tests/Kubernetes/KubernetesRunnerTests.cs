using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Sortie.Runners;
using Sortie.Runners.Kubernetes;
using Sortie.Platform;

namespace Sortie.Tests.Kubernetes;

/// <summary>
/// The Kubernetes runner against a fake API server on loopback (<see cref="FakeKubernetesApi"/>): what it asks the
/// cluster for (pod, NetworkPolicy), how it waits for the pod (a watch, then the RFB banner on the pod's IP, here a
/// loopback listener standing in for Xvnc), and what it deletes.
/// </summary>
public sealed class KubernetesRunnerTests : IAsyncLifetime
{
    private const string Namespace = "desktops";
    private FakeKubernetesApi _api = null!;
    private FakeVncServer _vnc = null!;
    private KubernetesRunnerOptions _options = null!;
    private KubernetesRunner _runner = null!;
    private IKubernetes _client = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await FakeKubernetesApi.StartAsync();
        _vnc = new FakeVncServer();
        _options = new KubernetesRunnerOptions
        {
            Namespace = Namespace,
            Image = "registry.example.org/sortie/desktop:1",
            VncImage = "registry.example.org/sortie/xvnc:1",
            Cpu = new ResourceRange("500m", "2"),
            Memory = new ResourceRange("1Gi", "4Gi"),
            GatewaySelector = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "sortie", ["app.kubernetes.io/component"] = "server" },
            VncPort = _vnc.Port,
            StartTimeout = TimeSpan.FromSeconds(10),
            StopTimeout = TimeSpan.FromSeconds(5),
        };
        _runner = NewRunner(_options);
    }

    private KubernetesRunner NewRunner(KubernetesRunnerOptions options)
    {
        _client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _api.Url });
        return new KubernetesRunner(_client, options, new SortieOptions { DataDir = "/nonexistent", SessionsDir = "/nonexistent/sessions" },
            NullLogger<KubernetesRunner>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        _runner.Dispose();
        _client.Dispose();
        await _api.DisposeAsync();
        await _vnc.DisposeAsync();
    }

    private static SessionLaunch Launch(Guid? id = null) =>
        new(id ?? Guid.NewGuid(), new DesktopProgram("xterm -fa Mono"), 1280, 720, "Terminal");

    private static string Name(Guid id) => $"sortie-{id:N}";

    private static JsonObject Container(JsonNode pod, string name) =>
        pod["spec"]!["containers"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == name)!.AsObject();

    private static string[] Strings(JsonNode? array) => array!.AsArray().Select(n => n!.GetValue<string>()).ToArray();

    [Fact]
    public async Task The_pod_runs_the_app_beside_an_xvnc_sidecar_unprivileged_with_the_configured_resources()
    {
        _api.StatusOnCreate = () => FakeKubernetesApi.RunningStatus();
        var launch = Launch();
        await _runner.StartAsync(launch, TestContext.Current.CancellationToken);

        var post = Assert.Single(_api.Requests, r => r.Method == "POST" && r.Path == $"/api/v1/namespaces/{Namespace}/pods");
        var pod = post.Body!;
        Assert.Equal(Name(launch.SessionId), pod["metadata"]!["name"]!.GetValue<string>());
        var labels = pod["metadata"]!["labels"]!;
        Assert.Equal("sortie", labels["app.kubernetes.io/managed-by"]!.GetValue<string>());
        Assert.Equal(launch.SessionId.ToString("N"), labels["sortie.io/session"]!.GetValue<string>());
        Assert.Equal("sortie", labels["sortie.io/instance"]!.GetValue<string>());

        var spec = pod["spec"]!;
        Assert.Equal(["vnc", "app"], spec["containers"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.False(spec["automountServiceAccountToken"]!.GetValue<bool>());
        Assert.False(spec["enableServiceLinks"]!.GetValue<bool>());
        Assert.Equal("Never", spec["restartPolicy"]!.GetValue<string>());
        Assert.True(spec["securityContext"]!["runAsNonRoot"]!.GetValue<bool>());
        Assert.Equal(1000, spec["securityContext"]!["runAsUser"]!.GetValue<long>());
        Assert.Equal("RuntimeDefault", spec["securityContext"]!["seccompProfile"]!["type"]!.GetValue<string>());
        Assert.Null(spec["hostNetwork"]);

        var vnc = Container(pod, "vnc");
        Assert.Equal("registry.example.org/sortie/xvnc:1", vnc["image"]!.GetValue<string>());
        var xvnc = Strings(vnc["command"]);
        Assert.Equal("Xvnc", xvnc[0]);
        Assert.Contains(_vnc.Port.ToString(), xvnc[xvnc.ToList().IndexOf("-rfbport") + 1]);
        Assert.Equal("1280x720", xvnc[xvnc.ToList().IndexOf("-geometry") + 1]);
        Assert.Equal("Terminal", xvnc[xvnc.ToList().IndexOf("-desktop") + 1]);
        Assert.Equal("tcp", xvnc[xvnc.ToList().IndexOf("-nolisten") + 1]); // X11 only on the shared Unix socket
        Assert.Equal(_vnc.Port, vnc["ports"]![0]!["containerPort"]!.GetValue<int>());
        Assert.Equal(_vnc.Port, vnc["readinessProbe"]!["tcpSocket"]!["port"]!.GetValue<int>());

        var app = Container(pod, "app");
        Assert.Equal("registry.example.org/sortie/desktop:1", app["image"]!.GetValue<string>());
        Assert.Null(app["ports"]);
        var env = app["env"]!.AsArray().ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!["value"]!.GetValue<string>());
        Assert.Equal("xterm -fa Mono", env["SORTIE_APP_COMMAND"]);
        Assert.Equal(":1", env["DISPLAY"]);
        Assert.Equal("500m", app["resources"]!["requests"]!["cpu"]!.GetValue<string>());
        Assert.Equal("1Gi", app["resources"]!["requests"]!["memory"]!.GetValue<string>());
        Assert.Equal("2", app["resources"]!["limits"]!["cpu"]!.GetValue<string>());
        Assert.Equal("4Gi", app["resources"]!["limits"]!["memory"]!.GetValue<string>());
        Assert.NotNull(vnc["resources"]!["limits"]!["memory"]);

        foreach (var container in new[] { vnc, app })
        {
            var security = container["securityContext"]!;
            Assert.False(security["allowPrivilegeEscalation"]!.GetValue<bool>());
            Assert.False(security["privileged"]!.GetValue<bool>());
            Assert.True(security["runAsNonRoot"]!.GetValue<bool>());
            Assert.Equal(["ALL"], Strings(security["capabilities"]!["drop"]));
            // Both see the X socket's folder: the display reaches the app through it, not through the network.
            Assert.Contains("/tmp/.X11-unix", container["volumeMounts"]!.AsArray().Select(m => m!["mountPath"]!.GetValue<string>()));
        }
        Assert.Contains(launch.SessionId, _runner.ActiveSessions);
    }

    [Fact]
    public async Task The_network_policy_admits_only_the_gateway_on_the_vnc_port_and_denies_egress_and_comes_first()
    {
        _api.StatusOnCreate = () => FakeKubernetesApi.RunningStatus();
        var launch = Launch();
        await _runner.StartAsync(launch, TestContext.Current.CancellationToken);

        var requests = _api.Requests.ToList();
        var post = Assert.Single(requests, r => r.Method == "POST" && r.Path == $"/apis/networking.k8s.io/v1/namespaces/{Namespace}/networkpolicies");
        var podPost = requests.FindIndex(r => r.Method == "POST" && r.Path.EndsWith("/pods"));
        Assert.True(requests.IndexOf(post) < podPost, "the NetworkPolicy is created before the pod");

        var policy = post.Body!;
        Assert.Equal(Name(launch.SessionId), policy["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal(launch.SessionId.ToString("N"), policy["metadata"]!["labels"]!["sortie.io/session"]!.GetValue<string>());
        var spec = policy["spec"]!;
        Assert.Equal(launch.SessionId.ToString("N"), spec["podSelector"]!["matchLabels"]!["sortie.io/session"]!.GetValue<string>());
        Assert.Equal(["Ingress", "Egress"], Strings(spec["policyTypes"]));
        var ingress = Assert.Single(spec["ingress"]!.AsArray())!;
        var from = Assert.Single(ingress["from"]!.AsArray())!;
        var gateway = from["podSelector"]!["matchLabels"]!.AsObject();
        Assert.Equal(2, gateway.Count);
        Assert.Equal("sortie", gateway["app.kubernetes.io/name"]!.GetValue<string>());
        Assert.Equal("server", gateway["app.kubernetes.io/component"]!.GetValue<string>());
        Assert.Null(from["namespaceSelector"]); // same namespace only
        var port = Assert.Single(ingress["ports"]!.AsArray())!;
        Assert.Equal(_vnc.Port, port["port"]!.GetValue<int>());
        Assert.Equal("TCP", port["protocol"]!.GetValue<string>());
        // Egress listed as a policy type with no rule: the pod reaches nothing.
        Assert.True(spec["egress"] is null || spec["egress"]!.AsArray().Count == 0);
    }

    [Fact]
    public async Task The_gateway_namespace_when_set_is_a_namespace_selector()
    {
        _runner.Dispose();
        _runner = NewRunner(_options with { GatewayNamespace = "sortie-system" });
        _api.StatusOnCreate = () => FakeKubernetesApi.RunningStatus();
        await _runner.StartAsync(Launch(), TestContext.Current.CancellationToken);
        var policy = Assert.Single(_api.Requests, r => r.Method == "POST" && r.Path.EndsWith("/networkpolicies")).Body!;
        Assert.Equal("sortie-system", policy["spec"]!["ingress"]![0]!["from"]![0]!["namespaceSelector"]!["matchLabels"]!["kubernetes.io/metadata.name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Start_waits_on_a_watch_until_the_pod_is_running_and_ready_then_connects_to_its_vnc_port()
    {
        var ct = TestContext.Current.CancellationToken;
        var launch = Launch();
        var name = Name(launch.SessionId);
        var start = _runner.StartAsync(launch, ct);

        await _api.WaitForAsync(r => r.Method == "GET" && r.Query.Contains("watch=true") && r.Query.Contains(name));
        _api.SetStatus(name, FakeKubernetesApi.Status("Pending"));
        _api.SetStatus(name, FakeKubernetesApi.Status("Running", "127.0.0.1", ready: false));
        await Task.Delay(500, ct);
        Assert.False(start.IsCompleted, "not ready yet: still starting");
        Assert.Empty(_runner.ActiveSessions);

        _api.SetStatus(name, FakeKubernetesApi.RunningStatus());
        await start.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Contains(launch.SessionId, _runner.ActiveSessions);

        await using var stream = await _runner.ConnectAsync(launch.SessionId, ct);
        var banner = new byte[12];
        await stream.ReadExactlyAsync(banner, ct);
        Assert.Equal("RFB 003.008\n"u8.ToArray(), banner);
    }

    [Fact]
    public async Task A_pod_that_fails_while_starting_fails_the_start_and_is_deleted_with_its_policy()
    {
        var launch = Launch();
        var name = Name(launch.SessionId);
        var start = _runner.StartAsync(launch, TestContext.Current.CancellationToken);
        await _api.WaitForAsync(r => r.Query.Contains("watch=true"));
        _api.SetStatus(name, FakeKubernetesApi.Status("Failed", reason: "Evicted"));

        var e = await Assert.ThrowsAsync<RunnerException>(() => start);
        Assert.Contains("failed while starting", e.Message);
        Assert.Contains("Evicted", e.Message);
        Assert.Null(_api.Pod(name));
        Assert.Null(_api.Policy(name));
        Assert.Empty(_runner.ActiveSessions);
    }

    [Fact]
    public async Task An_image_that_cannot_be_pulled_fails_the_start_without_waiting_for_the_timeout()
    {
        var launch = Launch();
        var name = Name(launch.SessionId);
        var start = _runner.StartAsync(launch, TestContext.Current.CancellationToken);
        await _api.WaitForAsync(r => r.Query.Contains("watch=true"));
        _api.SetStatus(name, FakeKubernetesApi.Status("Pending", containerStatuses: new JsonArray(
            FakeKubernetesApi.ContainerStatus("app", new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ImagePullBackOff" } }))));

        var e = await Assert.ThrowsAsync<RunnerException>(() => start.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        Assert.Contains("could not be pulled", e.Message);
        Assert.Null(_api.Pod(name));
    }

    [Fact]
    public async Task A_pod_that_never_gets_ready_times_out_with_a_clear_reason_and_is_deleted()
    {
        _runner.Dispose();
        _runner = NewRunner(_options with { StartTimeout = TimeSpan.FromSeconds(1) });
        var launch = Launch();
        _api.StatusOnCreate = () => FakeKubernetesApi.Status("Pending");

        var e = await Assert.ThrowsAsync<RunnerException>(() => _runner.StartAsync(launch, TestContext.Current.CancellationToken));
        Assert.Equal("The desktop did not start within 1 s.", e.Message);
        Assert.Null(_api.Pod(Name(launch.SessionId)));
        Assert.Null(_api.Policy(Name(launch.SessionId)));
    }

    [Fact]
    public async Task A_ready_pod_whose_vnc_server_does_not_answer_times_out()
    {
        _runner.Dispose();
        _runner = NewRunner(_options with { StartTimeout = TimeSpan.FromSeconds(1), VncPort = FreePort() });
        _api.StatusOnCreate = () => FakeKubernetesApi.RunningStatus();
        var e = await Assert.ThrowsAsync<RunnerException>(() => _runner.StartAsync(Launch(), TestContext.Current.CancellationToken));
        Assert.Contains("did not start within", e.Message);
    }

    [Fact]
    public async Task Stop_deletes_the_pod_then_its_network_policy_and_is_safe_twice()
    {
        _api.StatusOnCreate = () => FakeKubernetesApi.RunningStatus();
        var launch = Launch();
        var name = Name(launch.SessionId);
        await _runner.StartAsync(launch, TestContext.Current.CancellationToken);

        await _runner.StopAsync(launch.SessionId);
        await _runner.StopAsync(launch.SessionId);

        Assert.Null(_api.Pod(name));
        Assert.Null(_api.Policy(name));
        Assert.Empty(_runner.ActiveSessions);
        var deletes = _api.Requests.Where(r => r.Method == "DELETE").ToList();
        Assert.Equal($"/api/v1/namespaces/{Namespace}/pods/{name}", deletes[0].Path);
        Assert.Equal("Background", deletes[0].Body?["propagationPolicy"]?.GetValue<string>());
        Assert.Equal($"/apis/networking.k8s.io/v1/namespaces/{Namespace}/networkpolicies/{name}", deletes[1].Path);
        await Assert.ThrowsAsync<RunnerException>(() => _runner.ConnectAsync(launch.SessionId, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task When_the_app_exits_the_session_ends_and_its_pod_is_deleted()
    {
        var ct = TestContext.Current.CancellationToken;
        _api.StatusOnCreate = () => FakeKubernetesApi.RunningStatus();
        var launch = Launch();
        var name = Name(launch.SessionId);
        var exited = new TaskCompletionSource<(Guid, string)>();
        _runner.SessionExited += (id, reason) => exited.TrySetResult((id, reason));
        await _runner.StartAsync(launch, ct);
        Assert.True(await Eventually.TrueAsync(() => _api.Watching(name) > 0));

        var status = FakeKubernetesApi.Status("Running", "127.0.0.1", containerStatuses: new JsonArray(
            FakeKubernetesApi.ContainerStatus("vnc", new JsonObject { ["running"] = new JsonObject() }),
            FakeKubernetesApi.ContainerStatus("app", new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = 0 } })));
        _api.SetStatus(name, status);

        var (session, why) = await exited.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(launch.SessionId, session);
        Assert.Equal("The application exited.", why);
        Assert.True(await Eventually.TrueAsync(() => _api.Pod(name) is null && _api.Policy(name) is null));
        Assert.Empty(_runner.ActiveSessions);
    }

    [Fact]
    public async Task A_pod_deleted_by_someone_else_ends_the_session()
    {
        var ct = TestContext.Current.CancellationToken;
        _api.StatusOnCreate = () => FakeKubernetesApi.RunningStatus();
        var launch = Launch();
        var name = Name(launch.SessionId);
        var exited = new TaskCompletionSource<string>();
        _runner.SessionExited += (_, reason) => exited.TrySetResult(reason);
        await _runner.StartAsync(launch, ct);

        // At once, maybe before the runner's watch of the running pod is open: it goes on from the version it saw
        // ready, so the deletion is not missed.
        _api.DeletePod(name);

        Assert.Equal("The desktop stopped unexpectedly.", await exited.Task.WaitAsync(TimeSpan.FromSeconds(10), ct));
        Assert.Contains(_api.Requests, r => r.Query.Contains("watch=true") && r.Query.Contains("resourceVersion="));
        Assert.True(await Eventually.TrueAsync(() => _api.Policy(name) is null));
    }

    [Fact]
    public async Task Another_replica_connects_to_and_stops_a_session_it_did_not_start()
    {
        var ct = TestContext.Current.CancellationToken;
        _api.StatusOnCreate = () => FakeKubernetesApi.RunningStatus();
        var launch = Launch();
        await _runner.StartAsync(launch, ct);
        using var otherClient = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _api.Url });
        using var other = new KubernetesRunner(otherClient, _options, new SortieOptions { DataDir = "/nonexistent", SessionsDir = "/nonexistent/s" },
            NullLogger<KubernetesRunner>.Instance);

        await using (var stream = await other.ConnectAsync(launch.SessionId, ct))
        {
            var banner = new byte[12];
            await stream.ReadExactlyAsync(banner, ct);
            Assert.True(Sortie.Rfb.RfbBanner.IsRfb(banner));
        }
        await other.StopAsync(launch.SessionId);
        Assert.Null(_api.Pod(Name(launch.SessionId)));
        Assert.Null(_api.Policy(Name(launch.SessionId)));
    }

    [Fact]
    public async Task An_api_that_refuses_sortie_shows_in_problem_and_fails_starts_in_plain_words()
    {
        var ct = TestContext.Current.CancellationToken;
        _api.Forbid = true;
        await ((IHostedService)_runner).StartAsync(ct);
        Assert.Contains("refuses Sortie's requests (403)", _runner.Problem());

        var e = await Assert.ThrowsAsync<RunnerException>(() => _runner.StartAsync(Launch(), ct));
        Assert.Equal("The desktop could not be started: the cluster did not take its pod (see the server's log).", e.Message);
        Assert.DoesNotContain("serviceaccount", e.Message); // the API's words go to the log, not to users

        _api.Forbid = false;
        _api.StatusOnCreate = () => FakeKubernetesApi.RunningStatus();
        await _runner.StartAsync(Launch(), ct);
        Assert.Null(_runner.Problem());
    }

    [Fact]
    public async Task Resume_finds_the_pod_by_its_session_label_and_start_up_deletes_the_orphans()
    {
        var ct = TestContext.Current.CancellationToken;
        var kept = Guid.NewGuid();
        var orphan = Guid.NewGuid();
        var starting = Guid.NewGuid(); // another replica may be starting it: too young to sweep
        var gone = Guid.NewGuid();
        var other = Guid.NewGuid(); // another Sortie's in the same namespace
        var old = DateTime.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        SeedSession(kept, old, FakeKubernetesApi.RunningStatus());
        SeedSession(orphan, old, FakeKubernetesApi.RunningStatus());
        SeedSession(starting, DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"), FakeKubernetesApi.Status("Pending"));
        SeedSession(other, old, FakeKubernetesApi.RunningStatus(), instance: "elsewhere");
        _api.Seed("networkpolicies", Object(gone, old, instance: "sortie")); // a policy whose pod is gone

        Assert.True(await _runner.ResumeAsync(kept, ct));
        Assert.False(await _runner.ResumeAsync(Guid.NewGuid(), ct));
        Assert.Contains(_api.Requests, r => r.Method == "GET" && r.Query.Contains("labelSelector=")
            && Uri.UnescapeDataString(r.Query).Contains($"sortie.io/session={kept:N}"));
        await ((IHostedService)_runner).StartAsync(ct);

        Assert.NotNull(_api.Pod(Name(kept)));
        Assert.NotNull(_api.Policy(Name(kept)));
        Assert.Null(_api.Pod(Name(orphan)));
        Assert.Null(_api.Policy(Name(orphan)));
        Assert.Null(_api.Policy(Name(gone)));
        Assert.NotNull(_api.Pod(Name(starting)));
        Assert.NotNull(_api.Pod(Name(other)));
        Assert.Equal([kept], _runner.ActiveSessions);
        await using var stream = await _runner.ConnectAsync(kept, ct);
    }

    [Fact]
    public async Task Resume_gives_up_a_pod_that_is_not_ready_and_deletes_it()
    {
        var id = Guid.NewGuid();
        SeedSession(id, DateTime.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ"), FakeKubernetesApi.Status("Failed"));
        Assert.False(await _runner.ResumeAsync(id, TestContext.Current.CancellationToken));
        Assert.Null(_api.Pod(Name(id)));
        Assert.Null(_api.Policy(Name(id)));
    }

    [Fact]
    public async Task Rdp_and_web_proxy_apps_are_refused_without_touching_the_cluster()
    {
        var rdp = new RdpProgram(Guid.NewGuid(), "rdp.example.org", 3389, Sortie.Data.RdpSecurity.Any, Sortie.Data.RdpCertificatePolicy.Tofu, null, null);
        var e = await Assert.ThrowsAsync<RunnerException>(() =>
            _runner.StartAsync(new SessionLaunch(Guid.NewGuid(), rdp, 800, 600, "RDP"), TestContext.Current.CancellationToken));
        Assert.Contains("not supported by the Kubernetes runner yet", e.Message);
        e = await Assert.ThrowsAsync<RunnerException>(() => _runner.StartAsync(
            new SessionLaunch(Guid.NewGuid(), new BrowserProgram("https://example.org"), 800, 600, "Web"), TestContext.Current.CancellationToken));
        Assert.Contains("not supported by the Kubernetes runner yet", e.Message);
        Assert.Empty(_api.Requests);
    }

    [Fact]
    public void Settings_are_read_from_flat_keys_and_bad_ones_are_refused()
    {
        static KubernetesRunnerOptions Read(params (string Key, string Value)[] pairs) => KubernetesRunnerOptions.FromConfiguration(
            new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value))).Build());

        var options = Read(("SORTIE_K8S_NAMESPACE", "desk"), ("SORTIE_K8S_IMAGE", "img:1"), ("SORTIE_K8S_CPU", "250m/1"),
            ("SORTIE_K8S_MEMORY", "768Mi"), ("SORTIE_K8S_GATEWAY_SELECTOR", "app=sortie, tier=web"), ("SORTIE_K8S_VNC_PORT", "5901"),
            ("SORTIE_K8S_START_TIMEOUT", "90s"));
        Assert.Equal("desk", options.Namespace);
        Assert.Equal("img:1", options.Image);
        Assert.Null(options.VncImage);
        Assert.Equal(new ResourceRange("250m", "1"), options.Cpu);
        Assert.Equal(new ResourceRange("768Mi", "768Mi"), options.Memory);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "sortie", ["tier"] = "web" }, options.GatewaySelector);
        Assert.Equal(5901, options.VncPort);
        Assert.Equal(TimeSpan.FromSeconds(90), options.StartTimeout);

        Assert.Throws<InvalidOperationException>(() => Read(("SORTIE_K8S_CPU", "lots")));
        Assert.Throws<InvalidOperationException>(() => Read(("SORTIE_K8S_MEMORY", "2Gi/1Gi")));
        Assert.Throws<InvalidOperationException>(() => Read(("SORTIE_K8S_GATEWAY_SELECTOR", "app")));
        Assert.Throws<InvalidOperationException>(() => Read(("SORTIE_K8S_VNC_PORT", "70000")));
        Assert.Equal("no session image (set SORTIE_K8S_IMAGE)", NewRunner(Read()).Problem());
    }

    private void SeedSession(Guid id, string created, JsonObject status, string instance = "sortie")
    {
        var pod = Object(id, created, instance);
        pod["status"] = status;
        _api.Seed("pods", pod);
        _api.Seed("networkpolicies", Object(id, created, instance));
    }

    private static JsonObject Object(Guid id, string created, string instance) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["name"] = Name(id),
            ["namespace"] = Namespace,
            ["creationTimestamp"] = created,
            ["labels"] = new JsonObject
            {
                ["app.kubernetes.io/managed-by"] = "sortie", ["sortie.io/instance"] = instance, ["sortie.io/session"] = id.ToString("N"),
            },
        },
    };

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

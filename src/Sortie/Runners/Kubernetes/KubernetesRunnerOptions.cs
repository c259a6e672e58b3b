using System.Globalization;
using Sortie.Platform;

namespace Sortie.Runners.Kubernetes;

/// <summary>
/// The Kubernetes runner's settings (SORTIE_RUNNER=kubernetes), each from a flat SORTIE_K8S_* key. Read apart from
/// <see cref="SortieOptions"/> because only this runner needs them.
/// </summary>
public sealed partial record KubernetesRunnerOptions
{
    /// <summary>Namespace the sessions' pods and NetworkPolicies go in.</summary>
    public string Namespace { get; init; } = "default";
    /// <summary>The API server's address; null: in-cluster config when running in a pod, else the kubeconfig.</summary>
    public string? ApiServer { get; init; }
    /// <summary>Image of the app container (one holding the apps' programs; also Xvnc when <see cref="VncImage"/> is null).</summary>
    public string? Image { get; init; }
    /// <summary>Image of the VNC sidecar (holding <see cref="Xvnc"/>); null: the app image.</summary>
    public string? VncImage { get; init; }
    /// <summary>The Xvnc command in the VNC image.</summary>
    public string Xvnc { get; init; } = "Xvnc";
    /// <summary>The app container's CPU request and limit.</summary>
    public ResourceRange Cpu { get; init; } = new("250m", "2");
    /// <summary>The app container's memory request and limit.</summary>
    public ResourceRange Memory { get; init; } = new("512Mi", "2Gi");
    /// <summary>Labels of Sortie's own pods (the gateway): the only pods a session's NetworkPolicy admits.</summary>
    public IReadOnlyDictionary<string, string> GatewaySelector { get; init; } =
        new Dictionary<string, string> { ["app.kubernetes.io/name"] = "sortie" };
    /// <summary>The gateway's namespace when it differs from <see cref="Namespace"/>; null: the same one.</summary>
    public string? GatewayNamespace { get; init; }
    /// <summary>Tells this Sortie's sessions from another's in the same namespace (label sortie.io/instance).</summary>
    public string Instance { get; init; } = "sortie";
    /// <summary>The TCP port Xvnc listens on in the pod.</summary>
    public int VncPort { get; init; } = 5900;
    /// <summary>How long a pod may take to be scheduled, pull its images and answer on VNC.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>How long <see cref="KubernetesRunner.StopAsync"/> waits for the pod to be gone before dropping its NetworkPolicy.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>The pod's terminationGracePeriodSeconds.</summary>
    public int GracePeriodSeconds { get; init; } = 5;

    public const string ServiceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    public static KubernetesRunnerOptions FromConfiguration(IConfiguration config)
    {
        var defaults = new KubernetesRunnerOptions();
        return new KubernetesRunnerOptions
        {
            Namespace = NonEmpty(config["SORTIE_K8S_NAMESPACE"]) ?? InClusterNamespace() ?? defaults.Namespace,
            ApiServer = NonEmpty(config["SORTIE_K8S_API"]),
            Image = NonEmpty(config["SORTIE_K8S_IMAGE"]),
            VncImage = NonEmpty(config["SORTIE_K8S_VNC_IMAGE"]),
            Xvnc = NonEmpty(config["SORTIE_K8S_XVNC"]) ?? defaults.Xvnc,
            Cpu = ResourceRange.Parse(config["SORTIE_K8S_CPU"], defaults.Cpu, "SORTIE_K8S_CPU"),
            Memory = ResourceRange.Parse(config["SORTIE_K8S_MEMORY"], defaults.Memory, "SORTIE_K8S_MEMORY"),
            GatewaySelector = NonEmpty(config["SORTIE_K8S_GATEWAY_SELECTOR"]) is { } selector
                ? ParseLabels(selector, "SORTIE_K8S_GATEWAY_SELECTOR") : defaults.GatewaySelector,
            GatewayNamespace = NonEmpty(config["SORTIE_K8S_GATEWAY_NAMESPACE"]),
            Instance = NonEmpty(config["SORTIE_K8S_INSTANCE"]) is { } instance
                ? ParseLabels($"i={instance}", "SORTIE_K8S_INSTANCE")["i"] : defaults.Instance,
            VncPort = NonEmpty(config["SORTIE_K8S_VNC_PORT"]) is { } port
                ? int.TryParse(port, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536 ? p
                    : throw new InvalidOperationException($"SORTIE_K8S_VNC_PORT: '{port}' is not a TCP port.")
                : defaults.VncPort,
            StartTimeout = SortieOptions.ParseDuration(config["SORTIE_K8S_START_TIMEOUT"], defaults.StartTimeout, "SORTIE_K8S_START_TIMEOUT"),
        };
    }

    /// <summary>"k=v,k2=v2" as labels; keys and values checked the way the API server would.</summary>
    public static IReadOnlyDictionary<string, string> ParseLabels(string text, string key)
    {
        var labels = new Dictionary<string, string>();
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts is not [var name, var value] || !LabelKey().IsMatch(name) || !LabelValue().IsMatch(value))
                throw new InvalidOperationException($"{key}: '{pair}' is not a label (use name=value, comma-separated).");
            labels[name] = value;
        }
        return labels.Count > 0 ? labels : throw new InvalidOperationException($"{key}: no labels given.");
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string? InClusterNamespace()
    {
        try { return NonEmpty(File.ReadAllText(ServiceAccountNamespaceFile)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex LabelKey();

    [System.Text.RegularExpressions.GeneratedRegex(@"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")]
    private static partial System.Text.RegularExpressions.Regex LabelValue();
}

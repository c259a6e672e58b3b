using k8s.Models;

namespace Sortie.Runners.Kubernetes;

/// <summary>
/// What a session is in the cluster: a pod (the app container and an Xvnc sidecar sharing one X socket) and a
/// NetworkPolicy that lets only the gateway reach the pod's VNC port and lets the pod reach nothing.
/// </summary>
public static class SessionPodBuilder
{
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedBy = "sortie";
    public const string SessionLabel = "sortie.io/session";
    public const string InstanceLabel = "sortie.io/instance";
    public const string ComponentLabel = "app.kubernetes.io/component";
    public const string AppContainer = "app";
    public const string VncContainer = "vnc";
    /// <summary>The unprivileged uid and gid both containers run as (the local runner's sandbox user too).</summary>
    public const long SessionUid = 1000;
    private const int Display = 1;

    /// <summary>Both the pod's and the NetworkPolicy's name.</summary>
    public static string Name(Guid sessionId) => $"sortie-{sessionId:N}";

    /// <summary>The label selector of every object this Sortie instance made for its sessions.</summary>
    public static string InstanceSelector(KubernetesRunnerOptions options) => $"{ManagedByLabel}={ManagedBy},{InstanceLabel}={options.Instance}";

    public static Dictionary<string, string> Labels(Guid sessionId, KubernetesRunnerOptions options) => new()
    {
        [ManagedByLabel] = ManagedBy,
        [InstanceLabel] = options.Instance,
        [ComponentLabel] = "session",
        [SessionLabel] = sessionId.ToString("N"),
    };

    public static V1Pod Pod(SessionLaunch launch, DesktopProgram program, KubernetesRunnerOptions options)
    {
        var image = options.Image ?? throw new RunnerException("The Kubernetes runner has no session image (set SORTIE_K8S_IMAGE).");
        var socketDir = new V1VolumeMount { Name = "x11", MountPath = "/tmp/.X11-unix" };
        var tmp = new V1VolumeMount { Name = "tmp", MountPath = "/tmp" };
        // The app's own limits, where it has them, over the runner's.
        var cpu = launch.Limits?.Cpus is { } cores ? cores.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) : options.Cpu.Limit;
        var memory = launch.Limits?.MemoryBytes is { } bytes ? $"{bytes >> 20}Mi" : options.Memory.Limit;
        var vnc = new V1Container
        {
            Name = VncContainer,
            Image = options.VncImage ?? image,
            Command =
            [
                options.Xvnc, $":{Display}", "-rfbport", options.VncPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                // No VNC password: only the gateway's pods may reach this port (the session's NetworkPolicy).
                "-SecurityTypes", "None", "-AlwaysShared", "-nolisten", "tcp", "-depth", "24",
                // Gateways and the readiness probe connect from few addresses: Xvnc's blacklist must never lock them out.
                "-BlacklistThreshold", "1000000", "-BlacklistTimeout", "0",
                "-geometry", $"{launch.Width}x{launch.Height}", "-desktop", launch.DesktopName,
            ],
            Ports = [new V1ContainerPort { Name = "vnc", ContainerPort = options.VncPort, Protocol = "TCP" }],
            ReadinessProbe = new V1Probe
            {
                TcpSocket = new V1TCPSocketAction { Port = options.VncPort },
                PeriodSeconds = 1,
                FailureThreshold = 3,
            },
            Resources = new V1ResourceRequirements
            {
                Requests = Quantities("50m", "64Mi"),
                Limits = Quantities("1", "512Mi"),
            },
            SecurityContext = ContainerSecurity(),
            VolumeMounts = [tmp, socketDir],
        };
        var app = new V1Container
        {
            Name = AppContainer,
            Image = image,
            // Waits for the display's socket, then runs the app's command on it (from the environment: no quoting).
            Command =
            [
                "/bin/sh", "-c",
                $"i=0; while [ ! -S /tmp/.X11-unix/X{Display} ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; exec /bin/sh -c \"$SORTIE_APP_COMMAND\"",
            ],
            Env =
            [
                new V1EnvVar { Name = "DISPLAY", Value = $":{Display}" },
                new V1EnvVar { Name = "HOME", Value = "/home/sortie" },
                new V1EnvVar { Name = "USER", Value = "sortie" },
                new V1EnvVar { Name = "LANG", Value = "C.UTF-8" },
                new V1EnvVar { Name = "SORTIE_GEOMETRY", Value = $"{launch.Width}x{launch.Height}" },
                new V1EnvVar { Name = "SORTIE_DESKTOP_NAME", Value = launch.DesktopName },
                new V1EnvVar { Name = "SORTIE_APP_COMMAND", Value = program.Command },
            ],
            WorkingDir = "/home/sortie",
            Resources = new V1ResourceRequirements
            {
                Requests = Quantities(AtMost(options.Cpu.Request, cpu), AtMost(options.Memory.Request, memory)),
                Limits = Quantities(cpu, memory),
            },
            SecurityContext = ContainerSecurity(),
            VolumeMounts = [tmp, socketDir, new V1VolumeMount { Name = "home", MountPath = "/home/sortie" }],
        };
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = Name(launch.SessionId),
                NamespaceProperty = options.Namespace,
                Labels = Labels(launch.SessionId, options),
            },
            Spec = new V1PodSpec
            {
                Containers = [vnc, app],
                RestartPolicy = "Never",
                AutomountServiceAccountToken = false,
                EnableServiceLinks = false,
                Hostname = "sortie",
                TerminationGracePeriodSeconds = options.GracePeriodSeconds,
                SecurityContext = new V1PodSecurityContext
                {
                    RunAsNonRoot = true,
                    RunAsUser = SessionUid,
                    RunAsGroup = SessionUid,
                    FsGroup = SessionUid,
                    SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
                },
                Volumes =
                [
                    new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() },
                    new V1Volume { Name = "x11", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("1Mi") } },
                    new V1Volume { Name = "home", EmptyDir = new V1EmptyDirVolumeSource() },
                ],
            },
        };
    }

    /// <summary>
    /// Ingress: only the gateway's pods, only on the VNC port. Egress: none (a VNC app has no network, as in the local
    /// runner's sandbox).
    /// </summary>
    public static V1NetworkPolicy NetworkPolicy(Guid sessionId, KubernetesRunnerOptions options) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = new V1ObjectMeta
        {
            Name = Name(sessionId),
            NamespaceProperty = options.Namespace,
            Labels = Labels(sessionId, options),
        },
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector
            {
                MatchLabels = new Dictionary<string, string> { [SessionLabel] = sessionId.ToString("N"), [ManagedByLabel] = ManagedBy },
            },
            PolicyTypes = ["Ingress", "Egress"],
            Ingress =
            [
                new V1NetworkPolicyIngressRule
                {
                    FromProperty =
                    [
                        new V1NetworkPolicyPeer
                        {
                            PodSelector = new V1LabelSelector { MatchLabels = options.GatewaySelector.ToDictionary() },
                            NamespaceSelector = options.GatewayNamespace is { } ns
                                ? new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = ns } }
                                : null,
                        },
                    ],
                    Ports = [new V1NetworkPolicyPort { Protocol = "TCP", Port = options.VncPort }],
                },
            ],
            Egress = [],
        },
    };

    private static V1SecurityContext ContainerSecurity() => new()
    {
        AllowPrivilegeEscalation = false,
        Privileged = false,
        RunAsNonRoot = true,
        ReadOnlyRootFilesystem = true,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
    };

    /// <summary>A request no larger than its limit (Kubernetes refuses a pod whose request exceeds its limit).</summary>
    private static string AtMost(string request, string limit) =>
        new ResourceQuantity(request).ToDecimal() <= new ResourceQuantity(limit).ToDecimal() ? request : limit;

    private static Dictionary<string, ResourceQuantity> Quantities(string cpu, string memory) => new()
    {
        ["cpu"] = new ResourceQuantity(cpu),
        ["memory"] = new ResourceQuantity(memory),
    };
}

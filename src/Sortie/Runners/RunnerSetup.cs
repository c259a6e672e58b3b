using k8s;
using Sortie.Platform;
using Sortie.Runners.Kubernetes;

namespace Sortie.Runners;

/// <summary>Chooses the engine that runs sessions: SORTIE_RUNNER=local (the default) or kubernetes.</summary>
public static class RunnerSetup
{
    public static WebApplicationBuilder AddSessionRunner(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // The local runner's helpers, registered whichever runner runs (they cost nothing unused).
        services.AddSingleton(new LocalRunnerOptions());
        services.AddSingleton<SecretStore>();
        services.AddSingleton<SandboxPlanner>();
        var runner = builder.Configuration["SORTIE_RUNNER"]?.Trim().ToLowerInvariant();
        switch (runner)
        {
            case null or "" or "local":
                services.AddSingleton<Local.SessionCgroups>();
                services.AddSingleton<LocalRunner>();
                services.AddSingleton<ISessionRunner>(sp => sp.GetRequiredService<LocalRunner>());
                services.AddHostedService(sp => sp.GetRequiredService<LocalRunner>());
                break;
            case "kubernetes" or "k8s":
                var options = KubernetesRunnerOptions.FromConfiguration(builder.Configuration);
                services.AddSingleton(options);
                services.AddSingleton<IKubernetes>(_ => new k8s.Kubernetes(ClientConfiguration(options)));
                services.AddSingleton<KubernetesRunner>();
                services.AddSingleton<ISessionRunner>(sp => sp.GetRequiredService<KubernetesRunner>());
                services.AddHostedService(sp => sp.GetRequiredService<KubernetesRunner>());
                break;
            default:
                throw new InvalidOperationException($"SORTIE_RUNNER: '{runner}' is not a runner (use local or kubernetes).");
        }
        return builder;
    }

    /// <summary>SORTIE_K8S_API when set; else the pod's service account in a cluster; else the kubeconfig (KUBECONFIG, ~/.kube/config).</summary>
    public static KubernetesClientConfiguration ClientConfiguration(KubernetesRunnerOptions options)
    {
        if (options.ApiServer is { } api) return new KubernetesClientConfiguration { Host = api };
        if (KubernetesClientConfiguration.IsInCluster()) return KubernetesClientConfiguration.InClusterConfig();
        try { return KubernetesClientConfiguration.BuildConfigFromConfigFile(); }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or FileNotFoundException or IOException)
        {
            throw new InvalidOperationException(
                "SORTIE_RUNNER=kubernetes: no Kubernetes API found (not in a pod, no kubeconfig); set SORTIE_K8S_API or KUBECONFIG.", e);
        }
    }
}

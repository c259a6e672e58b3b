using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Sortie.Platform;

namespace Sortie.Runners.Kubernetes;

/// <summary>
/// Runs each session as a pod in a cluster (SORTIE_RUNNER=kubernetes): an Xvnc sidecar and the app's container on
/// its display, plus a NetworkPolicy that admits only the gateway's pods on the VNC port. The gateway reaches the
/// pod's IP over the cluster network. Pods and policies carry the session's id as a label, so any replica of Sortie
/// finds, connects to and deletes a session's pod, and a restarted one resumes or sweeps them.
/// </summary>
public sealed class KubernetesRunner : ISessionRunner, IHostedService, IDisposable
{
    private sealed class Tracked(string podIp, string? resourceVersion)
    {
        public string PodIp { get; set; } = podIp;
        /// <summary>The pod's version last seen: the watch of the running session goes on from there, missing nothing.</summary>
        public string? ResourceVersion { get; } = resourceVersion;
        public CancellationTokenSource Watch { get; } = new();
        public bool Stopping { get; set; }
    }

    private readonly ConcurrentDictionary<Guid, Tracked> _sessions = new();
    private readonly SessionStops _stops;
    private readonly IKubernetes _api;
    private readonly KubernetesRunnerOptions _options;
    private readonly SortieOptions _sortie;
    private readonly ILogger<KubernetesRunner> _log;
    private readonly TimeProvider _clock;

    public KubernetesRunner(IKubernetes api, KubernetesRunnerOptions options, SortieOptions sortie, ILogger<KubernetesRunner> log,
        TimeProvider? clock = null)
    {
        _api = api;
        _options = options;
        _sortie = sortie;
        _log = log;
        _clock = clock ?? TimeProvider.System;
        _stops = new SessionStops(sortie, log);
    }

    public event Action<Guid, string>? SessionExited;
    public IReadOnlyCollection<Guid> ActiveSessions => _sessions.Keys.ToArray();

    /// <summary>Each replica holds the pods it started or resumed; others hold the rest.</summary>
    public bool HoldsEverySession => false;

    /// <summary>The last refusal by the API server that only an operator can fix (RBAC); cleared by the next success.</summary>
    private volatile string? _apiProblem;

    public string? Problem() => ConfigProblem() ?? _apiProblem;

    private string? ConfigProblem() => _options.Image is null ? "no session image (set SORTIE_K8S_IMAGE)" : null;

    /// <summary>Words for /readyz: the status only, the API's message goes to the log.</summary>
    private string Forbidden(Exception e)
    {
        _log.LogError("The Kubernetes API refuses Sortie's requests: {Problem}", Describe(e));
        return $"the Kubernetes API refuses Sortie's requests ({(int)((HttpOperationException)e).Response.StatusCode}); check its service account's Role";
    }

    public async Task StartAsync(SessionLaunch launch, CancellationToken ct)
    {
        if (ConfigProblem() is { } problem) throw new RunnerException($"The Kubernetes runner cannot start sessions: {problem}.");
        var program = launch.Program switch
        {
            DesktopProgram desktop => desktop,
            RdpProgram => throw new RunnerException("RDP apps are not supported by the Kubernetes runner yet."),
            BrowserProgram => throw new RunnerException("Web-proxy apps are not supported by the Kubernetes runner yet."),
            _ => throw new RunnerException("This kind of app is not supported by the Kubernetes runner."),
        };
        var id = launch.SessionId;
        if (_sessions.ContainsKey(id)) throw new RunnerException("The session is already running.");
        try
        {
            // The policy first, so the pod's VNC port is never open to the rest of the cluster.
            await _api.NetworkingV1.CreateNamespacedNetworkPolicyAsync(SessionPodBuilder.NetworkPolicy(id, _options), _options.Namespace,
                cancellationToken: ct);
            await _api.CoreV1.CreateNamespacedPodAsync(SessionPodBuilder.Pod(launch, program, _options), _options.Namespace,
                cancellationToken: ct);
            _apiProblem = null;
            var pod = await WaitUntilAnswersAsync(id, ct);
            var ip = pod.Status.PodIP;
            var tracked = new Tracked(ip, pod.Metadata?.ResourceVersion);
            if (!_sessions.TryAdd(id, tracked)) throw new RunnerException("The session is already running.");
            _ = WatchAsync(id, tracked);
            _log.LogInformation("Session {SessionId} started in pod {Pod} ({Ip})", id, SessionPodBuilder.Name(id), ip);
        }
        catch (Exception e)
        {
            await DeleteAsync(id);
            if (e is RunnerException or OperationCanceledException) throw;
            if (e is HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized })
                _apiProblem = Forbidden(e);
            if (e is HttpOperationException { Response.StatusCode: HttpStatusCode.Conflict })
                throw new RunnerException("The session's pod already exists.");
            _log.LogError("Session {SessionId} failed to start: {Problem}", id, Describe(e));
            throw new RunnerException("The desktop could not be started: the cluster did not take its pod (see the server's log).");
        }
    }

    /// <summary>Watches the pod until it runs, is ready and has an IP, then until its VNC server sends the RFB banner.</summary>
    private async Task<V1Pod> WaitUntilAnswersAsync(Guid id, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.StartTimeout);
        try
        {
            var pod = await WatchUntilReadyAsync(id, timeout.Token);
            while (!await AnswersRfbAsync(pod.Status.PodIP, timeout.Token)) await Task.Delay(100, timeout.Token);
            return pod;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new RunnerException($"The desktop did not start within {_options.StartTimeout.TotalSeconds:0} s.");
        }
    }

    private async Task<V1Pod> WatchUntilReadyAsync(Guid id, CancellationToken ct)
    {
        var name = SessionPodBuilder.Name(id);
        while (true)
        {
            try
            {
                var events = _api.CoreV1.WatchListNamespacedPodAsync(_options.Namespace, fieldSelector: $"metadata.name={name}",
                    timeoutSeconds: (int)Math.Ceiling(_options.StartTimeout.TotalSeconds), cancellationToken: ct);
                await foreach (var (type, pod) in events.WithCancellation(ct))
                {
                    if (type == WatchEventType.Deleted) throw new RunnerException("The session's pod was deleted while starting.");
                    if (type == WatchEventType.Error) continue;
                    if (StartFailure(pod) is { } failure) throw new RunnerException(failure);
                    if (IsReady(pod)) return pod;
                }
            }
            // The HTTP client's own timeout (no event for 100 s): not ours, so watch again.
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
            // The API server ended the watch (its timeout): watch again until ours.
            await Task.Delay(100, ct);
        }
    }

    private static bool IsReady(V1Pod pod) =>
        pod.Status is { Phase: "Running", PodIP: { Length: > 0 } }
        && pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>Why a starting pod will never run, in words; null while it may.</summary>
    internal static string? StartFailure(V1Pod pod)
    {
        if (pod.Status?.Phase is "Failed" or "Succeeded")
            return $"The desktop's pod {(pod.Status.Phase == "Failed" ? "failed" : "ended")} while starting"
                + (pod.Status.Reason is { Length: > 0 } reason ? $" ({reason})." : ".");
        foreach (var status in pod.Status?.ContainerStatuses ?? [])
        {
            if (status.State?.Waiting?.Reason is "ErrImagePull" or "ImagePullBackOff" or "InvalidImageName")
                return $"The desktop's image {status.Image} could not be pulled ({status.State.Waiting.Reason}).";
            if (status.State?.Waiting?.Reason is "CreateContainerConfigError" or "CreateContainerError")
                return $"The desktop's {status.Name} container could not be created ({status.State.Waiting.Reason}).";
            if (status.State?.Terminated is { } ended)
                return $"The desktop's {status.Name} container exited while starting (status {ended.ExitCode}).";
        }
        // Unschedulable waits: the cluster may scale up; the start timeout ends the wait.
        return null;
    }

    public async Task<bool> ResumeAsync(Guid sessionId, CancellationToken ct)
    {
        if (_sessions.ContainsKey(sessionId)) return true;
        var pod = await FindPodAsync(sessionId, ct);
        if (pod is null) return false;
        if (!IsReady(pod) || AppEnded(pod) is not null || !await AnswersRfbAsync(pod.Status.PodIP, ct))
        {
            await DeleteAsync(sessionId);
            return false;
        }
        var tracked = new Tracked(pod.Status.PodIP, pod.Metadata?.ResourceVersion);
        if (!_sessions.TryAdd(sessionId, tracked)) return true;
        _ = WatchAsync(sessionId, tracked);
        _log.LogInformation("Session {SessionId} resumed: pod {Pod} outlived the last server", sessionId, SessionPodBuilder.Name(sessionId));
        return true;
    }

    /// <summary>The session's pod, found by its labels; null when there is none.</summary>
    private async Task<V1Pod?> FindPodAsync(Guid sessionId, CancellationToken ct)
    {
        var pods = await _api.CoreV1.ListNamespacedPodAsync(_options.Namespace,
            labelSelector: $"{SessionPodBuilder.InstanceSelector(_options)},{SessionPodBuilder.SessionLabel}={sessionId:N}", cancellationToken: ct);
        return pods.Items.FirstOrDefault(p => p.Metadata?.DeletionTimestamp is null);
    }

    /// <summary>
    /// Deletes the session's pod, waits (up to <see cref="KubernetesRunnerOptions.StopTimeout"/>) until it is gone, then
    /// deletes its NetworkPolicy, so the VNC port is never reachable without it. Works for a session another replica
    /// started too: the objects are found by name. Safe to call twice.
    /// </summary>
    public Task StopAsync(Guid sessionId) => _stops.Once(sessionId, () =>
    {
        if (_sessions.TryRemove(sessionId, out var tracked))
        {
            tracked.Stopping = true;
            tracked.Watch.Cancel();
        }
        return () => DeleteAsync(sessionId);
    });

    private async Task DeleteAsync(Guid sessionId)
    {
        var name = SessionPodBuilder.Name(sessionId);
        try
        {
            if (await IgnoreNotFound(() => _api.CoreV1.DeleteNamespacedPodAsync(name, _options.Namespace,
                    new V1DeleteOptions { PropagationPolicy = "Background" })))
                await WaitUntilGoneAsync(name);
            await IgnoreNotFound(() => _api.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(name, _options.Namespace,
                new V1DeleteOptions { PropagationPolicy = "Background" }));
            _log.LogInformation("Session {SessionId}: pod and NetworkPolicy {Name} deleted", sessionId, name);
        }
        catch (Exception e) // the API unreachable, refusing, or too slow (the HTTP client's timeout)
        {
            // The start-up sweep of the next server (or of another replica) takes what is left.
            _log.LogWarning("Session {SessionId}: {Name} could not be deleted: {Problem}", sessionId, name, Describe(e));
        }
    }

    private async Task WaitUntilGoneAsync(string name)
    {
        var started = _clock.GetTimestamp();
        while (_clock.GetElapsedTime(started) < _options.StopTimeout)
        {
            try { await _api.CoreV1.ReadNamespacedPodAsync(name, _options.Namespace); }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { return; }
            await Task.Delay(250);
        }
        _log.LogWarning("Pod {Name} still terminating after {Seconds} s; deleting its NetworkPolicy anyway", name, _options.StopTimeout.TotalSeconds);
    }

    /// <summary>True when the object was there to delete.</summary>
    private static async Task<bool> IgnoreNotFound(Func<Task> delete)
    {
        try
        {
            await delete();
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { return false; }
    }

    public async Task<Stream> ConnectAsync(Guid sessionId, CancellationToken ct)
    {
        var ip = _sessions.TryGetValue(sessionId, out var tracked) ? tracked.PodIp
            // Another replica's session: its pod is on the same cluster network.
            : await FindPodAsync(sessionId, ct) is { } pod && IsReady(pod) ? pod.Status.PodIP
            : throw new RunnerException("The session is not running.");
        return await ConnectToAsync(ip, ct);
    }

    private Task<bool> AnswersRfbAsync(string ip, CancellationToken ct) => VncProbe.AnswersAsync(c => ConnectToAsync(ip, c), ct);

    private async Task<Stream> ConnectToAsync(string ip, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true, NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(ip), _options.VncPort), ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Follows a running session's pod: when its app or display ends, or the pod goes, the session has ended. Each
    /// watch goes on from the last version seen, so a change between two watches is not missed; when that version is
    /// too old for the API server (an error event, 410 Gone), the pod is read afresh and watched from there.
    /// </summary>
    private async Task WatchAsync(Guid sessionId, Tracked tracked)
    {
        const string gone = "The desktop stopped unexpectedly.";
        var name = SessionPodBuilder.Name(sessionId);
        var ct = tracked.Watch.Token;
        var version = tracked.ResourceVersion;
        string? reason = null;
        while (reason is null && !ct.IsCancellationRequested)
        {
            try
            {
                if (version is null)
                {
                    var current = await ReadPodAsync(name, ct);
                    reason = current is null ? gone : Ended(current);
                    if (reason is not null) break;
                    version = current!.Metadata?.ResourceVersion;
                }
                var events = _api.CoreV1.WatchListNamespacedPodAsync(_options.Namespace, fieldSelector: $"metadata.name={name}",
                    resourceVersion: version, timeoutSeconds: 300, cancellationToken: ct);
                await foreach (var (type, pod) in events.WithCancellation(ct))
                {
                    if (type == WatchEventType.Error)
                    {
                        version = null;
                        break;
                    }
                    version = pod.Metadata?.ResourceVersion ?? version;
                    if (type == WatchEventType.Bookmark) continue;
                    reason = type == WatchEventType.Deleted ? gone : Ended(pod);
                    if (reason is not null) break;
                    if (pod.Status?.PodIP is { Length: > 0 } ip) tracked.PodIp = ip;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                if (e is HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized })
                    _apiProblem = Forbidden(e);
                if (e is HttpOperationException { Response.StatusCode: HttpStatusCode.Gone }) version = null;
                _log.LogWarning("Session {SessionId}: watching pod {Pod} failed, watching again: {Problem}", sessionId, name, Describe(e));
            }
            if (reason is null)
                try { await Task.Delay(TimeSpan.FromSeconds(1), ct); }
                catch (OperationCanceledException) { return; }
        }
        if (reason is null || tracked.Stopping) return;
        _log.LogInformation("Session {SessionId} ended by itself: {Reason}", sessionId, reason);
        await StopAsync(sessionId);
        SessionExited?.Invoke(sessionId, reason);
    }

    private async Task<V1Pod?> ReadPodAsync(string name, CancellationToken ct)
    {
        try { return await _api.CoreV1.ReadNamespacedPodAsync(name, _options.Namespace, cancellationToken: ct); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { return null; }
    }

    private static string? Ended(V1Pod pod) => pod.Metadata?.DeletionTimestamp is not null ? "The desktop stopped unexpectedly." : AppEnded(pod);

    /// <summary>Why a running session's pod has ended, in words; null while it runs.</summary>
    internal static string? AppEnded(V1Pod pod)
    {
        var statuses = pod.Status?.ContainerStatuses ?? [];
        var app = statuses.FirstOrDefault(s => s.Name == SessionPodBuilder.AppContainer)?.State?.Terminated;
        var vnc = statuses.FirstOrDefault(s => s.Name == SessionPodBuilder.VncContainer)?.State?.Terminated;
        if (app is { Reason: "OOMKilled" }) return "The application ran out of memory.";
        if (app is not null && vnc is null) return ExitReasons.For(ProgramKind.Desktop, $"app exited {app.ExitCode}");
        if (vnc is not null || pod.Status?.Phase is "Failed" or "Succeeded")
            return pod.Status?.Reason == "Evicted" ? "The desktop's pod was evicted from its node." : "The desktop stopped unexpectedly.";
        return null;
    }

    /// <summary>
    /// Sweeps what this instance made for sessions that were not resumed: their pods and NetworkPolicies go. Objects
    /// younger than the start timeout are left alone: another replica may be starting them.
    /// </summary>
    async Task IHostedService.StartAsync(CancellationToken ct)
    {
        var selector = SessionPodBuilder.InstanceSelector(_options);
        var young = _clock.GetUtcNow().UtcDateTime - _options.StartTimeout;
        bool Orphan(V1ObjectMeta? meta) =>
            meta?.Labels?.TryGetValue(SessionPodBuilder.SessionLabel, out var label) == true
            && Guid.TryParseExact(label, "N", out var id) && !_sessions.ContainsKey(id)
            && (meta.CreationTimestamp is not { } created || created < young);
        try
        {
            var pods = await _api.CoreV1.ListNamespacedPodAsync(_options.Namespace, labelSelector: selector, cancellationToken: ct);
            var policies = await _api.NetworkingV1.ListNamespacedNetworkPolicyAsync(_options.Namespace, labelSelector: selector, cancellationToken: ct);
            var orphans = pods.Items.Select(p => p.Metadata).Concat(policies.Items.Select(p => p.Metadata)).Where(Orphan)
                .Select(m => Guid.ParseExact(m!.Labels[SessionPodBuilder.SessionLabel], "N")).Distinct().ToArray();
            if (orphans.Length > 0) _log.LogInformation("Deleting {Count} sessions' pods left from before", orphans.Length);
            await Task.WhenAll(orphans.Select(StopAsync));
            _apiProblem = null;
        }
        // Best effort: the portal starts anyway, and the next start sweeps again.
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            if (e is HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized })
                _apiProblem = Forbidden(e);
            _log.LogWarning("Could not sweep sessions' pods left from before: {Problem}", Describe(e));
        }
    }

    async Task IHostedService.StopAsync(CancellationToken ct)
    {
        // Pods that outlive the server are the next one's to watch.
        if (!_sortie.StopSessionsOnExit) StopWatching();
        await _stops.OnServerExitAsync(_sessions.Keys, StopAsync);
    }

    public void Dispose() => StopWatching();

    private void StopWatching()
    {
        foreach (var tracked in _sessions.Values) tracked.Watch.Cancel();
    }

    private static string Describe(Exception e) => e switch
    {
        HttpOperationException h => $"{(int)h.Response.StatusCode} {h.Response.ReasonPhrase}: {Truncate(h.Response.Content)}",
        _ => e.Message,
    };

    private static string Truncate(string? text) => text is null ? "" : text.Length > 300 ? text[..300] + "…" : text;
}

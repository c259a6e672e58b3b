using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sortie.Tests.Kubernetes;

/// <summary>
/// A small stand-in for the Kubernetes API server, on loopback: pods and NetworkPolicies in memory, created, listed
/// (by label), read, deleted and watched (newline-delimited watch events, as the real server streams them). The test
/// moves pods through their lifecycle with <see cref="SetStatus"/>; every request is recorded.
/// </summary>
public sealed class FakeKubernetesApi : IAsyncDisposable
{
    private const string Pods = "pods";
    private const string Policies = "networkpolicies";
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<(string Kind, string Name), JsonObject> _objects = new();
    private readonly ConcurrentDictionary<string, List<Channel<string>>> _watchers = new();
    /// <summary>Each pod's events with their resourceVersions, so that a watch from a version replays what came after.</summary>
    private readonly ConcurrentDictionary<string, List<(long Version, string Line)>> _history = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly CancellationTokenSource _closing = new();
    private int _version = 1;

    /// <summary>When set, each pod created moves on to this status straight away (say, Running and Ready).</summary>
    public Func<JsonObject>? StatusOnCreate { get; set; }

    /// <summary>When true, every request is refused with 403, as the API server does without RBAC rights.</summary>
    public bool Forbid { get; set; }

    public string Url { get; private set; } = "";
    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    private FakeKubernetesApi(WebApplication app) => _app = app;

    public static async Task<FakeKubernetesApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeKubernetesApi(app);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        fake.Url = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return fake;
    }

    public JsonObject? Pod(string name) => _objects.TryGetValue((Pods, name), out var pod) ? pod : null;
    public JsonObject? Policy(string name) => _objects.TryGetValue((Policies, name), out var policy) ? policy : null;

    /// <summary>Puts an object in place as if made earlier (by a previous server, say).</summary>
    public void Seed(string kind, JsonObject obj)
    {
        _objects[(kind, Name(obj))] = Stamp(obj, obj["metadata"]?["creationTimestamp"] is null);
        if (kind == Pods) Notify(Name(obj), "ADDED", obj);
    }

    /// <summary>Sets a pod's status and tells its watchers (MODIFIED).</summary>
    public void SetStatus(string name, JsonObject status)
    {
        var pod = Pod(name) ?? throw new InvalidOperationException($"no pod {name}");
        lock (pod)
        {
            pod["status"] = status;
            pod["metadata"]!["resourceVersion"] = Interlocked.Increment(ref _version).ToString();
        }
        Notify(name, "MODIFIED", pod);
    }

    /// <summary>Waits for a request matching <paramref name="match"/>.</summary>
    public async Task<RecordedRequest> WaitForAsync(Func<RecordedRequest, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            if (_requests.FirstOrDefault(match) is { } found) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("no such request to the fake Kubernetes API");
            await Task.Delay(10);
        }
    }

    public static JsonObject RunningStatus(string ip = "127.0.0.1") => Status("Running", ip, ready: true);

    public static JsonObject Status(string phase, string? ip = null, bool ready = false, JsonArray? containerStatuses = null, string? reason = null)
    {
        var status = new JsonObject
        {
            ["phase"] = phase,
            ["conditions"] = new JsonArray(
                new JsonObject { ["type"] = "PodScheduled", ["status"] = "True" },
                new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False" }),
        };
        if (ip is not null) status["podIP"] = ip;
        if (containerStatuses is not null) status["containerStatuses"] = containerStatuses;
        if (reason is not null) status["reason"] = reason;
        return status;
    }

    public static JsonObject ContainerStatus(string name, JsonObject state) => new()
    {
        ["name"] = name, ["image"] = $"example.org/{name}:1", ["imageID"] = "", ["ready"] = false, ["restartCount"] = 0, ["state"] = state,
    };

    private async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        JsonObject? body = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var text = await reader.ReadToEndAsync();
            if (text.Length > 0) body = JsonNode.Parse(text) as JsonObject;
        }
        _requests.Enqueue(new RecordedRequest(request.Method, request.Path, request.QueryString.Value ?? "", body));

        if (Forbid)
        {
            await WriteStatusAsync(http, 403, "Forbidden", "pods is forbidden: User \"system:serviceaccount:sortie:sortie\" cannot list resource");
            return;
        }
        // /api/v1/namespaces/{ns}/pods[/{name}] or /apis/networking.k8s.io/v1/namespaces/{ns}/networkpolicies[/{name}]
        var parts = request.Path.Value!.Trim('/').Split('/');
        var at = Array.IndexOf(parts, "namespaces");
        if (at < 0 || parts.Length < at + 3 || parts[at + 2] is not (Pods or Policies))
        {
            await WriteStatusAsync(http, 404, "NotFound", "no such resource in the fake");
            return;
        }
        var kind = parts[at + 2];
        var name = parts.Length > at + 3 ? parts[at + 3] : null;
        var query = request.Query;
        switch (request.Method, name)
        {
            case ("POST", null):
                if (body is null) { await WriteStatusAsync(http, 400, "BadRequest", "no body"); return; }
                var created = Stamp(body.DeepClone().AsObject(), creation: true);
                if (!_objects.TryAdd((kind, Name(created)), created)) { await WriteStatusAsync(http, 409, "AlreadyExists", "exists"); return; }
                if (kind == Pods) Notify(Name(created), "ADDED", created);
                await WriteJsonAsync(http, 201, created);
                if (kind == Pods && StatusOnCreate is { } next) SetStatus(Name(created), next());
                return;
            case ("GET", null) when query["watch"] is ["true" or "1"]:
                await WatchAsync(http, query["fieldSelector"].ToString().Replace("metadata.name=", ""),
                    long.TryParse(query["resourceVersion"], out var from) && from > 0 ? from : null);
                return;
            case ("GET", null):
                var selector = query["labelSelector"].ToString();
                var items = new JsonArray(_objects.Where(o => o.Key.Kind == kind && Matches(o.Value, selector))
                    .Select(o => (JsonNode)o.Value.DeepClone()).ToArray());
                await WriteJsonAsync(http, 200, new JsonObject
                {
                    ["kind"] = kind == Pods ? "PodList" : "NetworkPolicyList",
                    ["apiVersion"] = kind == Pods ? "v1" : "networking.k8s.io/v1",
                    ["metadata"] = new JsonObject { ["resourceVersion"] = _version.ToString() },
                    ["items"] = items,
                });
                return;
            case ("GET", { } one):
                if (_objects.TryGetValue((kind, one), out var found)) await WriteJsonAsync(http, 200, found);
                else await WriteStatusAsync(http, 404, "NotFound", $"{kind} \"{one}\" not found");
                return;
            case ("DELETE", { } one):
                if (!_objects.TryRemove((kind, one), out var removed)) { await WriteStatusAsync(http, 404, "NotFound", $"{kind} \"{one}\" not found"); return; }
                await WriteJsonAsync(http, 200, removed);
                if (kind == Pods) DeletedEvent(one, removed);
                return;
            default:
                await WriteStatusAsync(http, 405, "MethodNotAllowed", "not in the fake");
                return;
        }
    }

    /// <summary>
    /// From a resourceVersion: every event after it. Without: the current pod (ADDED). Then every change until the
    /// client or the fake hangs up.
    /// </summary>
    private async Task WatchAsync(HttpContext http, string name, long? from)
    {
        var channel = Channel.CreateUnbounded<string>();
        var watchers = _watchers.GetOrAdd(name, _ => []);
        lock (watchers)
        {
            if (from is { } version)
                foreach (var (v, line) in _history.GetOrAdd(name, _ => [])) { if (v > version) channel.Writer.TryWrite(line); }
            else if (Pod(name) is { } pod)
                channel.Writer.TryWrite(Event("ADDED", pod));
            watchers.Add(channel);
        }
        try
        {
            http.Response.StatusCode = 200;
            http.Response.ContentType = "application/json";
            await http.Response.StartAsync();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _closing.Token);
            await foreach (var line in channel.Reader.ReadAllAsync(stop.Token))
            {
                await http.Response.WriteAsync(line + "\n", stop.Token);
                await http.Response.Body.FlushAsync(stop.Token);
            }
        }
        catch (OperationCanceledException) { }
        finally
        {
            lock (watchers) watchers.Remove(channel);
        }
    }

    private void Notify(string name, string type, JsonObject obj)
    {
        var watchers = _watchers.GetOrAdd(name, _ => []);
        var line = Event(type, obj);
        long version;
        lock (obj) version = long.Parse(obj["metadata"]!["resourceVersion"]!.GetValue<string>());
        lock (watchers)
        {
            _history.GetOrAdd(name, _ => []).Add((version, line));
            foreach (var w in watchers) w.Writer.TryWrite(line);
        }
    }

    /// <summary>Deletes a pod as someone else would (kubectl delete): its watchers see DELETED.</summary>
    public void DeletePod(string name)
    {
        if (_objects.TryRemove((Pods, name), out var removed)) DeletedEvent(name, removed);
    }

    private void DeletedEvent(string name, JsonObject removed)
    {
        lock (removed) removed["metadata"]!["resourceVersion"] = Interlocked.Increment(ref _version).ToString();
        Notify(name, "DELETED", removed);
    }

    /// <summary>How many watches of a pod are open now.</summary>
    public int Watching(string name) => _watchers.TryGetValue(name, out var w) ? w.Count : 0;

    private static string Event(string type, JsonObject obj)
    {
        lock (obj) return new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString();
    }

    private JsonObject Stamp(JsonObject obj, bool creation)
    {
        var meta = obj["metadata"] as JsonObject ?? new JsonObject();
        obj["metadata"] = meta;
        meta["uid"] ??= Guid.NewGuid().ToString();
        meta["resourceVersion"] = Interlocked.Increment(ref _version).ToString();
        if (creation) meta["creationTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
        return obj;
    }

    private static string Name(JsonObject obj) => obj["metadata"]?["name"]?.GetValue<string>() ?? throw new InvalidOperationException("no name");

    /// <summary>Equality selectors only ("a=b,c=d"), which is all the runner uses.</summary>
    private static bool Matches(JsonObject obj, string selector)
    {
        if (string.IsNullOrEmpty(selector)) return true;
        var labels = obj["metadata"]?["labels"] as JsonObject;
        return selector.Split(',').All(pair => pair.Split('=', 2) is [var k, var v] && labels?[k]?.GetValue<string>() == v);
    }

    private static async Task WriteJsonAsync(HttpContext http, int status, JsonObject obj)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        string text;
        lock (obj) text = obj.ToJsonString();
        await http.Response.WriteAsync(text);
    }

    private static Task WriteStatusAsync(HttpContext http, int code, string reason, string message) => WriteJsonAsync(http, code, new JsonObject
    {
        ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Failure",
        ["message"] = message, ["reason"] = reason, ["code"] = code,
    });

    public async ValueTask DisposeAsync()
    {
        _closing.Cancel();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

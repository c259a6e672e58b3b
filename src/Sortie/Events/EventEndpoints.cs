using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Sortie.Access;

namespace Sortie.Events;

public static class EventEndpoints
{
    /// <summary>A comment-free keep-alive, so that proxies do not close an idle stream.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(25);
    /// <summary>A client that stops reading loses its oldest events, never the server's memory.</summary>
    private const int Backlog = 256;

    public static void MapEventEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/events", (EventHub hub, HttpContext http, IHostApplicationLifetime lifetime) =>
                TypedResults.ServerSentEvents(StreamAsync(hub, Caller.From(http), http.RequestAborted, lifetime.ApplicationStopping)))
            .RequireAuthorization().WithTags("Events")
            .WithSummary("Server-sent events about the caller's sessions: session.changed, shares.changed, viewers.changed (and ping).");
    }

    /// <summary>The caller's events until they leave or the server stops (a stream left open would hold up its stop).</summary>
    private static async IAsyncEnumerable<SseItem<PortalEvent>> StreamAsync(EventHub hub, Caller caller,
        [EnumeratorCancellation] CancellationToken aborted, CancellationToken stopping)
    {
        using var ends = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping);
        var ct = ends.Token;
        var events = Channel.CreateBounded<PortalEvent>(new BoundedChannelOptions(Backlog)
            { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        using var subscription = hub.Subscribe(caller, e => events.Writer.TryWrite(e));
        yield return new SseItem<PortalEvent>(new PortalEvent("ready", Guid.Empty), "ready");
        while (!ct.IsCancellationRequested)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(KeepAlive);
            PortalEvent e;
            try { e = await events.Reader.ReadAsync(wait.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                e = new PortalEvent("ping", Guid.Empty);
            }
            catch (OperationCanceledException) { yield break; }
            yield return new SseItem<PortalEvent>(e, e.Type);
        }
    }
}

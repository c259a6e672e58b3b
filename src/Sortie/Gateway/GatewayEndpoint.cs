using Sortie.Access;
using Sortie.Audit;
using Sortie.Auth;
using Sortie.Data;
using Sortie.Platform;
using Sortie.Recordings;
using Sortie.Runners;
using Sortie.Viewers;

namespace Sortie.Gateway;

/// <summary>
/// GET /ws/sessions/{id}: a WebSocket carrying RFB between a viewer and the session's VNC server.
/// Every check happens before the upgrade, so a refused client gets a plain HTTP answer.
/// </summary>
public static class GatewayEndpoint
{
    /// <summary>How long a viewer may hear nothing before it is sent a pong: proxies close connections quiet for a minute.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    public static void MapGateway(this IEndpointRouteBuilder app)
    {
        app.Map("/ws/sessions/{id:guid}", async (Guid id, HttpContext http, SessionLookup sessions, ISessionRunner runner,
                ViewerRoom room, ViewerGuard guard, RecordingManager recordings, AuditLog audit, SortieOptions options, IHostApplicationLifetime lifetime,
                SortieMetrics metrics, TimeProvider clock, ILoggerFactory logs) =>
        {
            var caller = Caller.From(http);
            // A cookie rides along with any page's WebSocket: only our own pages may use it (no cross-site hijacking).
            if (AuthSetup.ByCookie(http) && !SameOrigin.Allows(http, options))
                throw ApiProblem.Forbidden("WebSocket connections with a cookie must come from this portal's own pages.");
            var (session, access) = await sessions.FindAsync(caller, id, http.RequestAborted);
            if (session.Status != SessionStatus.Running)
                throw ApiProblem.Conflict($"The session is {SortieJson.Name(session.Status)}, not running.");
            if (!http.WebSockets.IsWebSocketRequest)
                throw ApiProblem.BadRequest("This endpoint takes a WebSocket upgrade.");

            Stream upstream;
            try { upstream = await runner.ConnectAsync(session.Id, http.RequestAborted); }
            catch (Exception e) when (e is RunnerException or IOException or System.Net.Sockets.SocketException)
            {
                throw ApiProblem.Conflict("The session's desktop is not reachable.");
            }

            await using (upstream)
            {
                using var viewer = new Viewer(session.Id, session.OwnerId, caller.Id, caller.Username, access, clock.GetUtcNow().UtcDateTime)
                {
                    BrowserLoginId = AuthSetup.ByCookie(http) ? BrowserLogins.LoginIdOf(http.User) : null,
                };
                try
                {
                    // Listed before the upgrade completes: whoever sees the connection open finds it on the list.
                    await room.JoinAsync(viewer);
                    recordings.Of(session.Id)?.Join(viewer);
                    using var expiry = guard.CloseAtExpiry(viewer);
                    // A stopping server tells its viewers so (they reconnect, to another replica or after the restart)
                    // rather than holding its shutdown until they leave.
                    using var stopping = lifetime.ApplicationStopping.Register(() => viewer.Close(CloseReason.ServerStopping));
                    var how = $"{SortieJson.Name(access.Via)}, {SortieJson.Name(access.Permission)}";
                    await audit.WriteAsync(AuditActions.ViewerConnected, caller, session.Id, access.ShareId, caller.Username, how);
                    var subprotocol = http.WebSockets.WebSocketRequestedProtocols.Contains("binary") ? "binary" : null;
                    using var socket = await ViewerSocket.AcceptAsync(http, subprotocol, KeepAlive);
                    // Access may have changed between the check above and joining the viewer room.
                    // Ending a session marks it ended before its shares go: access found gone may mean the session ended.
                    var now = await sessions.FindAccessAsync(caller, session.Id, http.RequestAborted);
                    if (!await sessions.IsRunningAsync(session.Id)) viewer.Close(CloseReason.SessionEnded);
                    else if (now != access) viewer.Close(now.CanSee ? CloseReason.PermissionChanged : CloseReason.AccessRevoked);
                    await RfbRelay.RunAsync(socket, upstream, viewer, () => DesktopReachableAsync(runner, session.Id),
                        new ViewerInput(viewer, recordings), metrics, logs.CreateLogger(typeof(RfbRelay)), http.RequestAborted);
                }
                finally
                {
                    await room.LeaveAsync(viewer);
                    recordings.Of(session.Id)?.Leave(viewer, viewer.ClosedBy?.Text ?? "left");
                    var seconds = (clock.GetUtcNow().UtcDateTime - viewer.ConnectedAt).TotalSeconds;
                    await audit.WriteAsync(AuditActions.ViewerDisconnected, caller, session.Id, access.ShareId, caller.Username,
                        $"{viewer.ClosedBy?.Text ?? "left"} after {seconds:0} s");
                }
            }
        }).RequireAuthorization().WithTags("Gateway").ExcludeFromDescription();
    }

    /// <summary>
    /// Whether the session's VNC server still greets a new connection. A killed one may still accept for a moment while
    /// the kernel tears it down, but it never sends its banner.
    /// </summary>
    private static async Task<bool> DesktopReachableAsync(ISessionRunner runner, Guid sessionId)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try { return await VncProbe.AnswersAsync(ct => runner.ConnectAsync(sessionId, ct), limit.Token); }
        catch (Exception e) when (e is RunnerException or OperationCanceledException) { return false; }
    }
}

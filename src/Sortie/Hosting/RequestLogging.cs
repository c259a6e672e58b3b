using Sortie.Access;
using System.Diagnostics;


namespace Sortie.Hosting;

/// <summary>The middleware that gives every request its <see cref="RequestLogScope"/>.</summary>
public static class RequestLogging
{
    /// <summary>
    /// Opens the scope first thing (so the exception handler's own log lines have it); the route, session and share
    /// are added once routing has run (<see cref="UseRequestLogRoute"/>), the user after authentication
    /// (<see cref="UseRequestLogUser"/>).
    /// </summary>
    public static IApplicationBuilder UseRequestLogScope(this IApplicationBuilder app)
    {
        var log = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Sortie.Request");
        return app.Use(async (http, next) =>
        {
            // The id the problem details writer puts in trace_id.
            var scope = new RequestLogScope(Activity.Current?.Id ?? http.TraceIdentifier);
            http.Features.Set(scope);
            using (log.BeginScope(scope)) await next(http);
        });
    }

    /// <summary>After routing: the route's pattern (never the path), and the session and share it names.</summary>
    public static IApplicationBuilder UseRequestLogRoute(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (http.Features.Get<RequestLogScope>() is { } scope && http.GetEndpoint() is RouteEndpoint endpoint)
        {
            var pattern = endpoint.RoutePattern.RawText ?? "";
            scope.Add("Route", $"{http.Request.Method} {(pattern.Length > 1 ? pattern.TrimEnd('/') : pattern)}");
            // Only the session routes name a session by {id} (elsewhere it is an app's or a user's).
            var path = http.Request.Path;
            if ((path.StartsWithSegments("/api/sessions") || path.StartsWithSegments("/ws/sessions"))
                && http.Request.RouteValues.TryGetValue("id", out var sessionId)) scope.Add("SessionId", sessionId);
            if (http.Request.RouteValues.TryGetValue("shareId", out var shareId)) scope.Add("ShareId", shareId);
        }
        return next(http);
    });

    /// <summary>After authentication: who is asking.</summary>
    public static IApplicationBuilder UseRequestLogUser(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (http.Features.Get<RequestLogScope>() is { } scope && Caller.TryFrom(http.User) is { } caller) scope.Add("UserId", caller.Id);
        return next(http);
    });
}

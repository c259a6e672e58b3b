using Microsoft.Net.Http.Headers;

namespace Sortie.Hosting;

/// <summary>
/// API clients that authenticate with a bearer token send JSON, whatever Content-Type they put on it: `curl -d '…'`
/// says application/x-www-form-urlencoded, or nothing. For them the body is read as JSON. There is no cross-site
/// risk: a browser cannot attach an Authorization header to a request another site makes. Requests that ride on the
/// cookie keep needing application/json, which a cross-site form cannot send.
/// </summary>
public static class BearerJsonBodies
{
    public static IApplicationBuilder UseBearerJsonBodies(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        var request = http.Request;
        if (request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
            && !(MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.SubTypeWithoutSuffix.Equals("json", StringComparison.OrdinalIgnoreCase)))
            request.ContentType = "application/json";
        return next(http);
    });

    /// <summary>The words for an error response that has no detail of its own (one the framework answered: 404, 405, 415, …).</summary>
    public static string? DefaultDetail(HttpContext http, int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "Log in first: send a bearer token (POST /api/auth/login) or the sign-in cookie.",
        StatusCodes.Status404NotFound => "There is nothing at this address.",
        StatusCodes.Status405MethodNotAllowed =>
            $"This address does not take {http.Request.Method}; it takes {(http.Response.Headers.Allow.Count > 0 ? http.Response.Headers.Allow.ToString() : "other methods")}.",
        StatusCodes.Status415UnsupportedMediaType => "Send the request body as JSON, with Content-Type: application/json.",
        _ => null,
    };
}

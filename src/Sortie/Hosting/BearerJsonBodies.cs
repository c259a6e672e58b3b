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
        if (!Auth.AuthSetup.ByCookie(http)
            && (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
            && !(MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.SubTypeWithoutSuffix.Equals("json", StringComparison.OrdinalIgnoreCase)))
            request.ContentType = "application/json";
        return next(http);
    });
}

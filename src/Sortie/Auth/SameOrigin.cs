using Sortie.Platform;

namespace Sortie.Auth;

/// <summary>
/// Whether a browser request comes from the portal's own pages (or an origin listed in SORTIE_ALLOWED_ORIGINS).
/// A cookie rides along with requests from any page, so everything a cookie alone can do without a form token
/// (the gateway's and Blazor's WebSockets, the API's logout) asks this first.
/// </summary>
public static class SameOrigin
{
    public static bool Allows(HttpContext http, SortieOptions options)
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length == 0) return true; // Not a browser: a cross-site page cannot omit Origin.
        if (options.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase)) return true;
        // The scheme may differ behind a TLS-terminating proxy; the host and port may not.
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Authority, http.Request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}

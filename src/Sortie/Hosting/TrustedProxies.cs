using Microsoft.AspNetCore.HttpOverrides;

using Sortie.Platform;

namespace Sortie.Hosting;

/// <summary>
/// Behind a reverse proxy every request comes from the proxy's address. The X-Forwarded-* headers of the proxies in
/// SORTIE_TRUSTED_PROXIES (and only theirs: anyone can send the headers) give the client's own address, scheme and
/// host, so that the login throttle, the join limits and the audit log see the real client, and the same-origin
/// checks see the host the browser used.
/// </summary>
public static class TrustedProxies
{
    public static void UseTrustedProxies(this WebApplication app, SortieOptions options)
    {
        // With no known proxy at all the middleware would believe every sender: leave it out.
        if (options.TrustedProxies.Count == 0) return;
        var forwarded = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
            // A chain of trusted proxies is unwound up to the first address that is not one of them.
            ForwardLimit = null,
        };
        forwarded.KnownProxies.Clear(); // loopback, by default
        forwarded.KnownIPNetworks.Clear();
        foreach (var network in options.TrustedProxies) forwarded.KnownIPNetworks.Add(network);
        app.UseForwardedHeaders(forwarded);
    }
}

namespace Sortie.Platform;

/// <summary>
/// Absolute addresses of the portal's own pages, for links people send to each other (a share link): from
/// SORTIE_PUBLIC_URL when it is set, otherwise from the request being answered, whose scheme and host come from the
/// connection or, behind a proxy in SORTIE_TRUSTED_PROXIES, from its forwarded headers (see <see cref="TrustedProxies"/>).
/// </summary>
public sealed class PublicAddress(SortieOptions options, IHttpContextAccessor requests)
{
    /// <summary>
    /// The address of <paramref name="path"/> (starting with '/'). With neither a setting nor a request to go by (a
    /// page's live connection may have none), the path itself: the page then resolves it against its own address.
    /// </summary>
    public string Of(string path)
    {
        if (options.PublicUrl is { } origin) return origin + path;
        return requests.HttpContext?.Request is { Host.HasValue: true } request
            ? $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}{path}"
            : path;
    }
}

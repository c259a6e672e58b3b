using System.Security.Claims;
using Sortie.Data;

namespace Sortie.Access;

/// <summary>Who is asking, as read from an authenticated principal (cookie or bearer token alike).</summary>
public sealed record Caller(Guid Id, string Username, UserRole Role)
{
    public bool IsAdmin => Role == UserRole.Admin;
    /// <summary>Where the request came from, for the audit log and per-address limits.</summary>
    public string? Address { get; init; }

    /// <summary>The authenticated caller of an HTTP request, with its address.</summary>
    public static Caller From(HttpContext http) => From(http.User) with { Address = http.Connection.RemoteIpAddress?.ToString() };

    public static Caller From(ClaimsPrincipal principal) =>
        TryFrom(principal) ?? throw new InvalidOperationException("The request is not authenticated.");

    public static Caller? TryFrom(ClaimsPrincipal? principal)
    {
        if (principal?.Identity?.IsAuthenticated != true) return null;
        var id = principal.FindFirstValue(SortieClaims.UserId);
        var name = principal.FindFirstValue(SortieClaims.Username);
        var role = principal.FindFirstValue(SortieClaims.Role);
        return Guid.TryParse(id, out var guid) && name is not null && Enum.TryParse<UserRole>(role, true, out var r)
            ? new Caller(guid, name, r)
            : null;
    }
}

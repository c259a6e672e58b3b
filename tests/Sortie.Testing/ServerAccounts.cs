using Sortie.Data;
using Sortie.Sessions;

namespace Sortie.Testing;

/// <summary>Accounts and sessions on any server, made through its API as the admin: how a test sets its scene.</summary>
public static class ServerAccounts
{
    private static int _users;

    public static Task<ApiClient> AdminAsync(this ISortieServer server) => server.LoginAsync("admin", SortieServer.AdminPassword);

    public static Task<ApiClient> LoginAsync(this ISortieServer server, string username, string password) =>
        ApiClient.LoginAsync(server.BaseUri, username, password);

    /// <summary>A new user running a small demo desktop: the usual start of a sharing test.</summary>
    public static async Task<(ApiClient Owner, SessionDto Session)> NewRunningSessionAsync(this ISortieServer server)
    {
        var owner = await server.NewUserAsync();
        return (owner, await owner.LaunchDesktopAsync(320, 240));
    }

    /// <summary>A new account (created by the admin; password "{name}-password") and a client logged in as it.</summary>
    public static async Task<ApiClient> NewUserAsync(this ISortieServer server, UserRole role = UserRole.User, string? name = null)
    {
        using var admin = await server.AdminAsync();
        return await admin.NewUserAsync(role, name ?? $"{(role == UserRole.Admin ? "boss" : "user")}{Interlocked.Increment(ref _users)}");
    }
}

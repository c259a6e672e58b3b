using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Sortie.Auth;
using Sortie.Apps;
using Sortie.Data;
using Sortie.Sessions;
using Sortie.Sharing;
using Sortie.Platform;
using Sortie.Users;
using Sortie.Rfb.Testing;

namespace Sortie.Testing;

/// <summary>One user's view of the API: an HttpClient carrying their bearer token, and typed helpers.</summary>
public sealed class ApiClient(HttpClient http, TokenPair? tokens) : IDisposable
{
    public HttpClient Http { get; } = http;
    public TokenPair? Tokens { get; } = tokens;
    public UserDto User => Tokens?.User ?? throw new InvalidOperationException("Anonymous client.");

    /// <summary>Logs in with a password: a client carrying the user's bearer token.</summary>
    public static async Task<ApiClient> LoginAsync(Uri baseUri, string username, string password)
    {
        var http = new HttpClient { BaseAddress = baseUri };
        var response = await http.PostAsJsonAsync("/api/auth/login", new LoginRequest(username, password), SortieJson.Options);
        response.EnsureSuccessStatusCode();
        var tokens = (await response.Content.ReadFromJsonAsync<TokenPair>(SortieJson.Options))!;
        http.DefaultRequestHeaders.Authorization = new("Bearer", tokens.AccessToken);
        return new ApiClient(http, tokens);
    }

    /// <summary>As an admin: creates an account (password "{name}-password") and logs in as it.</summary>
    public async Task<ApiClient> NewUserAsync(UserRole role, string name)
    {
        var password = $"{name}-password";
        (await PostAsync("/api/admin/users", new CreateUserRequest(name, password, role))).EnsureSuccessStatusCode();
        return await LoginAsync(Http.BaseAddress!, name, password);
    }

    public async Task<T> GetAsync<T>(string path) => await ReadAsync<T>(await Http.GetAsync(path));

    public Task<HttpResponseMessage> PostAsync(string path, object body) => Http.PostAsJsonAsync(path, body, SortieJson.Options);

    public async Task<AppDto> AppAsync(string name) => (await GetAsync<List<AppDto>>("/api/apps")).Single(a => a.Name == name);

    /// <summary>Launches the demo desktop and waits until it runs.</summary>
    public Task<SessionDto> LaunchDesktopAsync(int width = 640, int height = 480) => LaunchAsync("desktop", width, height);

    /// <summary>Launches an app of the catalog by name and waits until its session runs.</summary>
    public async Task<SessionDto> LaunchAsync(string appName, int width = 640, int height = 480)
    {
        var app = await AppAsync(appName);
        var created = await ReadAsync<SessionDto>(await PostAsync("/api/sessions", new CreateSessionRequest(app.Id, width, height)));
        return await WaitForStatusAsync(created.Id, SessionStatus.Running);
    }

    public async Task<SessionDto> WaitForStatusAsync(Guid id, SessionStatus status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var session = await GetAsync<SessionDto>($"/api/sessions/{id}");
            if (session.Status == status) return session;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Session {id} is {session.Status} ({session.Reason}), not {status}.");
            await Task.Delay(50);
        }
    }

    public async Task<ShareDto> InviteAsync(Guid sessionId, string username, SharePermission permission = SharePermission.ReadOnly) =>
        await ReadAsync<ShareDto>(await PostAsync($"/api/sessions/{sessionId}/shares", new CreateShareRequest(username, Permission: permission)));

    public async Task<ShareDto> CreateLinkAsync(Guid sessionId, SharePermission permission = SharePermission.ReadOnly,
        int? maxUses = null, long? expiresIn = null) =>
        await ReadAsync<ShareDto>(await PostAsync($"/api/sessions/{sessionId}/shares",
            new CreateShareRequest(LinkShare: true, Permission: permission, ExpiresIn: expiresIn, MaxUses: maxUses)));

    /// <summary>PATCHes a share's permission; the response is the server's answer, whatever it is.</summary>
    public Task<HttpResponseMessage> ChangeShareAsync(Guid sessionId, Guid shareId, SharePermission permission) =>
        Http.PatchAsJsonAsync($"/api/sessions/{sessionId}/shares/{shareId}", new ChangeShareRequest(permission), SortieJson.Options);

    /// <summary>Joins through a share link, as its <c>share_url</c> gives it ("http://host/join/{token}").</summary>
    public Task<HttpResponseMessage> JoinAsync(string shareUrl) =>
        PostAsync("/api/sessions/shares/join", new JoinRequest(TokenOf(shareUrl)));

    /// <summary>The token a share link carries: what follows /join/ in its address.</summary>
    public static string TokenOf(string shareUrl) =>
        shareUrl[(shareUrl.LastIndexOf(SharingService.JoinPath, StringComparison.Ordinal) + SharingService.JoinPath.Length)..];

    /// <summary>Opens the gateway WebSocket for a session as this user (bearer token), as noVNC would.</summary>
    public async Task<ClientWebSocket> ConnectAsync(Guid sessionId, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = NewSocket(configure);
        try { await socket.ConnectAsync(GatewayUri(sessionId), CancellationToken.None); }
        catch { socket.Dispose(); throw; }
        return socket;
    }

    /// <summary>
    /// Connects through the gateway and completes the RFB handshake: a VNC viewer as this user (asking for the
    /// desktop exclusively when <paramref name="shared"/> is false).
    /// </summary>
    public async Task<RfbClient> ViewAsync(Guid sessionId, bool shared = true)
    {
        var socket = await ConnectAsync(sessionId);
        var rfb = new RfbClient(WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true));
        try { await rfb.HandshakeAsync(shared: shared); }
        catch { await rfb.DisposeAsync(); throw; }
        return rfb;
    }

    /// <summary>The HTTP status of an upgrade attempt: 101 when the gateway accepts, else its refusal.</summary>
    public async Task<HttpStatusCode> UpgradeStatusAsync(Guid sessionId, Action<ClientWebSocketOptions>? configure = null)
    {
        using var socket = NewSocket(configure);
        try { await socket.ConnectAsync(GatewayUri(sessionId), CancellationToken.None); }
        catch (WebSocketException) { }
        return socket.HttpStatusCode;
    }

    private ClientWebSocket NewSocket(Action<ClientWebSocketOptions>? configure)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("binary");
        socket.Options.CollectHttpResponseDetails = true;
        if (Tokens is not null) socket.Options.SetRequestHeader("Authorization", $"Bearer {Tokens.AccessToken}");
        configure?.Invoke(socket.Options);
        return socket;
    }

    private Uri GatewayUri(Guid sessionId) =>
        new UriBuilder(Http.BaseAddress!) { Scheme = "ws", Path = $"/ws/sessions/{sessionId}" }.Uri;

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}", null, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<T>(SortieJson.Options))!;
    }

    public void Dispose() => Http.Dispose();
}

using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.DataProtection;
using Scalar.AspNetCore;
using Sortie.Access;
using Sortie.Apps;
using Sortie.Audit;
using Sortie.Auth;
using Sortie.Data;
using Sortie.Events;
using Sortie.Gateway;
using Sortie.Hosting;
using Sortie.Platform;
using Sortie.Recordings;
using Sortie.Replicas;
using Sortie.Runners;
using Sortie.Sessions;
using Sortie.Sharing;
using Sortie.Ui;
using Sortie.Users;
using Sortie.Viewers;

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]) && string.IsNullOrEmpty(builder.Configuration["urls"]))
    builder.WebHost.UseUrls("http://127.0.0.1:8080");
// ./run.sh runs the build output in Production: its framework files (blazor.web.js) and app CSS are static web assets,
// which ASP.NET Core maps from the build's manifest only in Development unless asked. A published app (the container
// image) has them in wwwroot and no manifest, and this does nothing.
builder.WebHost.UseStaticWebAssets();

var options = SortieOptions.FromConfiguration(builder.Configuration);
// Say so plainly rather than fail later on a write with a stack trace (the keys, the migrations, the seeding).
if (DiskSpace.Problem(options.DataDir) is { } full)
{
    Console.Error.WriteLine($"Sortie cannot start: {full}. Free some space, then start it again.");
    Environment.Exit(1);
}
var services = builder.Services;
services.AddSingleton(options);
services.AddSingleton(TimeProvider.System);
services.AddHttpContextAccessor();
services.AddSingleton<PublicAddress>();
services.AddSortieDatabase(options);

// JSON in snake_case; unknown fields and missing required ones are errors, not silently ignored.
services.Configure<JsonOptions>(o => SortieJson.Configure(o.SerializerOptions));
services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
    c.ProblemDetails.Detail ??= ApiProblemHandler.DefaultDetail(c.HttpContext, c.ProblemDetails.Status ?? c.HttpContext.Response.StatusCode));
services.AddExceptionHandler<ApiProblemHandler>();
services.AddOpenApi();

builder.AddSortieAuth();
services.AddSingleton<AppCatalog>();
services.AddSingleton<SessionLookup>();
services.AddSingleton<EventHub>();
services.AddSingleton<IReplicaSignalHandler>(sp => sp.GetRequiredService<EventHub>());
// The viewer room: who watches what, and the guard that closes viewers whose access ended (told by the features).
services.AddSingleton<LocalViewers>();
services.AddSingleton<ViewerRoom>();
services.AddSingleton<ViewerGuard>();
services.AddSingleton<IAccessChanges>(sp => sp.GetRequiredService<ViewerGuard>());
services.AddSingleton<IReplicaSignalHandler>(sp => sp.GetRequiredService<ViewerGuard>());
services.AddHostedService(sp => sp.GetRequiredService<ViewerGuard>());
services.AddReplicas(options);
services.AddSingleton<SessionManager>();
// Recordings: started and stopped with sessions (ISessionObserver), told of stops asked of other replicas.
services.AddSingleton<RecordingManager>();
services.AddSingleton<ISessionObserver>(sp => sp.GetRequiredService<RecordingManager>());
services.AddSingleton<IReplicaSignalHandler>(sp => sp.GetRequiredService<RecordingManager>());
services.AddSingleton<SharingService>();
services.AddSingleton<UserAdmin>();
services.AddSingleton<JoinLimiter>();
services.AddSingleton<AuditLog>();
services.AddHostedService<Housekeeper>();
services.AddSortieMetrics();
// Keys for cookies and sealed link tokens: in the keys folder (shared by replicas), never in the database.
services.AddDataProtection().SetApplicationName("Sortie")
    .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(options.KeysDir, "data-protection")));
builder.AddSessionRunner();
builder.AddSortieUi();

var app = builder.Build();
await Seeder.PrepareDatabaseAsync(app.Services);
await app.Services.GetRequiredService<SessionManager>().ReconcileAsync(CancellationToken.None);
await app.Services.GetRequiredService<ViewerRoom>().ForgetEarlierRunsAsync(CancellationToken.None);
await app.Services.GetRequiredService<RecordingManager>().CloseEarlierRunsAsync(CancellationToken.None);

app.UseTrustedProxies(options);
app.UseRequestLogScope();
app.UseExceptionHandler();
app.UseStatusCodePages();
// Before routing: the matcher answers 415 itself for a body whose Content-Type the endpoint does not accept.
app.UseBearerJsonBodies();
app.UseRouting();
app.UseRequestLogRoute();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
app.UseAuthentication();
app.UseRequestLogUser();
app.UseAuthorization();
app.UseAntiforgery();

app.MapOpenApi();
app.MapScalarApiReference();
app.MapHealthEndpoints();
app.MapMetricsEndpoint();
app.MapAuthEndpoints();
app.MapUserEndpoints();
app.MapAppEndpoints();
app.MapSessionEndpoints();
app.MapShareEndpoints();
app.MapRecordingEndpoints();
app.MapAuditEndpoints();
app.MapEventEndpoints();
app.MapViewerEndpoints();
app.MapGateway();
app.MapSortieUi();

app.Run();

public partial class Program;

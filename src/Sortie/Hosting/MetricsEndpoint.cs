using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OpenTelemetry.Metrics;
using Sortie.Data;
using Sortie.Platform;
using Sortie.Viewers;

namespace Sortie.Hosting;

/// <summary>Prometheus metrics at /metrics: Sortie's own (<see cref="SortieMetrics"/>) and ASP.NET Core's request durations.</summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static IServiceCollection AddSortieMetrics(this IServiceCollection services)
    {
        services.AddSingleton<SortieMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(SortieMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            // Kestrel's memory pool counts every 4 KiB block it lends: 2 % of the gateway's CPU at full speed (docs/benchmarks.md).
            .AddView(instrumentName: "aspnetcore.memory_pool.*", MetricStreamConfiguration.Drop)
            // Every scrape reads the counts afresh (the exporter would otherwise answer from a cache for 300 ms).
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    public static void MapMetricsEndpoint(this IEndpointRouteBuilder app)
    {
        // Created now, not at the first event: the gauges are there from the first scrape.
        ObserveGauges(app.ServiceProvider);
        var token = app.ServiceProvider.GetRequiredService<SortieOptions>().MetricsToken;
        app.MapPrometheusScrapingEndpoint(Path, meterProvider: null, configureBranchedPipeline: token is null ? null
                : branch => branch.Use((http, next) => Authorized(http, token) ? next(http) : Unauthorized(http)),
                optionsName: null)
            .AllowAnonymous().ExcludeFromDescription();
    }

    private static bool Authorized(HttpContext http, string token)
    {
        var header = http.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        // Hashed first, so the comparison takes the same time whatever the length of what was sent.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim())),
            SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    private static Task Unauthorized(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }

    private static void ObserveGauges(IServiceProvider services)
    {
        var metrics = services.GetRequiredService<SortieMetrics>();
        var dbs = services.GetRequiredService<IDbContextFactory<SortieDb>>();
        var viewers = services.GetRequiredService<LocalViewers>();
        metrics.Observe("sortie.sessions", () => SessionsByState(dbs), "{session}", "Sessions by state (from the database).");
        metrics.Observe("sortie.viewers", () => ViewersByPermission(viewers), "{viewer}",
            "Live gateway connections on this replica, by the permission they stand on.");
    }

    /// <summary>One COUNT ... GROUP BY at scrape time; every state is reported, at 0 when there is none.</summary>
    private static IEnumerable<Measurement<long>> SessionsByState(IDbContextFactory<SortieDb> dbs)
    {
        using var db = dbs.CreateDbContext();
        var counts = db.Sessions.GroupBy(s => s.Status).Select(g => new { g.Key, Count = g.LongCount() }).ToDictionary(g => g.Key, g => g.Count);
        return Enum.GetValues<SessionStatus>().Select(state => new Measurement<long>(counts.GetValueOrDefault(state),
            new KeyValuePair<string, object?>("state", SortieJson.Name(state)))).ToList();
    }

    /// <summary>The owner (or an admin) manages the session; everyone else stands on a share's permission.</summary>
    private static IEnumerable<Measurement<long>> ViewersByPermission(LocalViewers viewers)
    {
        var live = viewers.All();
        return ViewerPermissions.Select(permission => new Measurement<long>(live.Count(v => PermissionOf(v) == permission),
            new KeyValuePair<string, object?>("permission", permission))).ToList();
    }

    private static readonly string[] ViewerPermissions = ["owner", SortieJson.Name(SharePermission.ReadWrite), SortieJson.Name(SharePermission.ReadOnly)];

    private static string PermissionOf(Viewer viewer) => viewer.Access.CanManage ? "owner" : SortieJson.Name(viewer.Access.Permission);
}

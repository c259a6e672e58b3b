using System.Security.Cryptography;
using System.Text;
using OpenTelemetry.Metrics;

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
        app.ServiceProvider.GetRequiredService<SortieMetrics>();
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
}

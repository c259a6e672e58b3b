using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Sortie.Tests.Runners;

/// <summary>A portal that remembers the paths it was asked for, to see what a sandboxed browser fetched from it.</summary>
public sealed class PortalRecordingRequests : SortieServer
{
    public System.Collections.Concurrent.ConcurrentQueue<string> Paths { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new Recorder(Paths)));
    }

    private sealed class Recorder(System.Collections.Concurrent.ConcurrentQueue<string> paths) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, following) =>
            {
                paths.Enqueue(http.Request.Path);
                return following(http);
            });
            next(app);
        };
    }
}

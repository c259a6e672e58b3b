using Sortie.Platform;

namespace Sortie.Replicas;

public static class ReplicaSetup
{
    /// <summary>On PostgreSQL, any number of replicas may share the database: they keep each other informed.</summary>
    public static IServiceCollection AddReplicas(this IServiceCollection services, SortieOptions options)
    {
        if (options.Database is null)
        {
            services.AddSingleton<IReplicaBus, SingleServer>();
            return services;
        }
        services.AddSingleton<PostgresReplicaBus>();
        services.AddSingleton<IReplicaBus>(sp => sp.GetRequiredService<PostgresReplicaBus>());
        services.AddHostedService<ReplicaListener>();
        return services;
    }
}

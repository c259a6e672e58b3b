using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using Sortie.Events;
using Sortie.Gateway;
using Sortie.Hosting;

namespace Sortie.Replicas;

/// <summary>
/// What one replica tells the others: who may see a session changed (<see cref="Kinds.Access"/>), or a live update for
/// the users' pages (<see cref="Kinds.Event"/>). A signal only says "look again": the database stays the source of
/// truth, so a lost, late or forged signal can neither open access nor keep it open.
/// </summary>
public sealed record ReplicaSignal(string Kind, Guid? SessionId, string? EventType = null, Guid[]? Users = null)
{
    public static class Kinds
    {
        public const string Access = "access";
        public const string Event = "event";
    }

    /// <summary>Who may see <paramref name="sessionId"/> changed; null: any session (an account was deleted).</summary>
    public static ReplicaSignal Access(Guid? sessionId) => new(Kinds.Access, sessionId);

    public static ReplicaSignal Event(string type, Guid sessionId, Guid[] users) => new(Kinds.Event, sessionId, type, users);
}

/// <summary>Carries <see cref="ReplicaSignal"/>s to the other replicas of the portal.</summary>
public interface IReplicaBus
{
    /// <summary>This replica's name among the others, new at every start.</summary>
    string ReplicaId { get; }


    /// <summary>Sends to every other replica; never throws (the others' periodic recheck covers a failure).</summary>
    Task PublishAsync(ReplicaSignal signal);
}

/// <summary>One server alone (SQLite): there is nobody to tell.</summary>
public sealed class SingleServer : IReplicaBus
{
    public string ReplicaId { get; } = Guid.NewGuid().ToString("N");


    public Task PublishAsync(ReplicaSignal signal) => Task.CompletedTask;
}

/// <summary>
/// Replicas on one PostgreSQL talk through its LISTEN/NOTIFY: no broker besides the database they share. Each
/// replica sends with NOTIFY on <see cref="Channel"/> and listens there on a connection of its own (see
/// <see cref="ReplicaListener"/>), skipping its own signals, which it has acted on already.
/// </summary>
public sealed class PostgresReplicaBus(SortieOptions options, ILogger<PostgresReplicaBus> log) : IReplicaBus, IAsyncDisposable
{
    public const string Channel = "sortie_replicas";
    /// <summary>NOTIFY takes payloads under 8000 bytes: an event for more users (about 40 bytes each) goes in several.</summary>
    private const int MaxUsersPerSignal = 150;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(options.Database
        ?? throw new InvalidOperationException("PostgresReplicaBus needs SORTIE_DATABASE."));

    public string ReplicaId { get; } = Guid.NewGuid().ToString("N");

    public async Task PublishAsync(ReplicaSignal signal)
    {
        var parts = signal.Users is { Length: > MaxUsersPerSignal } users
            ? users.Chunk(MaxUsersPerSignal).Select(some => signal with { Users = some })
            : [signal];
        try
        {
            foreach (var part in parts)
            {
                await using var notify = _source.CreateCommand("SELECT pg_notify($1, $2)");
                notify.Parameters.Add(new NpgsqlParameter { Value = Channel });
                notify.Parameters.Add(new NpgsqlParameter { Value = Serialize(part) });
                await notify.ExecuteNonQueryAsync();
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            log.LogWarning(e, "Could not tell the other replicas ({Kind}); they catch up at their next recheck", signal.Kind);
        }
    }

    /// <summary>A connection of its own for LISTEN, with keep-alives so that a dead link is noticed and replaced.</summary>
    public async Task<NpgsqlConnection> OpenListenerAsync(CancellationToken ct)
    {
        var settings = new NpgsqlConnectionStringBuilder(options.Database) { Pooling = false, KeepAlive = 5 };
        var connection = new NpgsqlConnection(settings.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var listen = new NpgsqlCommand($"LISTEN {Channel}", connection);
            await listen.ExecuteNonQueryAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Another replica's signal, or null for this replica's own (and for anything that is not a signal).</summary>
    public ReplicaSignal? Read(string payload)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize<Envelope>(payload, Json);
            return envelope is { From: { } from, Signal: { } signal } && from != ReplicaId ? signal : null;
        }
        catch (JsonException)
        {
            log.LogWarning("Ignored a notification on {Channel} that is not a replica signal", Channel);
            return null;
        }
    }

    private string Serialize(ReplicaSignal signal) => JsonSerializer.Serialize(new Envelope(ReplicaId, signal), Json);

    private sealed record Envelope(string? From, ReplicaSignal? Signal);

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}

/// <summary>
/// Listens for the other replicas' signals and acts on them here: rechecks the live viewers of a session whose access
/// changed, and passes live updates to this replica's pages. After every (re)connection it rechecks every viewer once,
/// since what was sent while it was not listening is lost.
/// </summary>
public sealed class ReplicaListener(PostgresReplicaBus bus, LiveControl live, EventHub events, ILogger<ReplicaListener> log)
    : BackgroundService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retryDelay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await bus.OpenListenerAsync(stoppingToken);
                connection.Notification += (_, n) =>
                {
                    if (bus.Read(n.Payload) is { } signal) _ = ActAsync(signal, stoppingToken);
                };
                await live.RecheckAsync(null, stoppingToken);
                retryDelay = TimeSpan.FromSeconds(1);
                while (true) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                log.LogWarning(e, "Not listening to the other replicas; trying again in {Delay}", retryDelay);
                try { await Task.Delay(retryDelay, stoppingToken); }
                catch (OperationCanceledException) { return; }
                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    private async Task ActAsync(ReplicaSignal signal, CancellationToken ct)
    {
        try
        {
            switch (signal.Kind)
            {
                case ReplicaSignal.Kinds.Access:
                    await live.RecheckAsync(signal.SessionId, ct);
                    break;
                case ReplicaSignal.Kinds.Event when signal is { EventType: { } type, SessionId: { } session, Users: { } users }:
                    events.Deliver(type, session, users);
                    break;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Acting on another replica's {Kind} signal failed", signal.Kind);
        }
    }
}

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

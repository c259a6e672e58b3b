using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using Sortie.Platform;

namespace Sortie.Replicas;

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

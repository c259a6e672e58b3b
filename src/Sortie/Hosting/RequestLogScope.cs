using System.Collections;


namespace Sortie.Hosting;

/// <summary>
/// The fields of a request's log scope (see <see cref="RequestLogging"/>). Every log line written while a request is served carries the trace id its client was given (an error response's
/// <c>trace_id</c>) and, once known, the route, the user and the session or share it names: an operator finds a
/// client's failure in the log by its trace id. Never the path or the query: a share link's path is its secret.
/// </summary>
public sealed class RequestLogScope : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly List<KeyValuePair<string, object?>> _fields;

    public RequestLogScope(string traceId) => _fields = [new("TraceId", traceId)];

    public void Add(string key, object? value)
    {
        lock (_fields) _fields.Add(new(key, value));
    }

    public KeyValuePair<string, object?> this[int index] { get { lock (_fields) return _fields[index]; } }
    public int Count { get { lock (_fields) return _fields.Count; } }
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() { lock (_fields) return _fields.ToList().GetEnumerator(); }
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>How the console shows it: "TraceId:00-… Route:GET /api/sessions/{id} UserId:… SessionId:…".</summary>
    public override string ToString()
    {
        lock (_fields) return string.Join(' ', _fields.Select(f => $"{f.Key}:{f.Value}"));
    }
}

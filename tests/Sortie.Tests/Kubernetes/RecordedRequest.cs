using System.Text.Json.Nodes;

namespace Sortie.Tests.Kubernetes;

/// <summary>One request the fake API server received: its method, path and query, and its JSON body if any.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, JsonObject? Body);

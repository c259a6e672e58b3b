using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sortie.Tests.Kubernetes;

/// <summary>One request the fake API server received: its method, path and query, and its JSON body if any.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, JsonObject? Body);

using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Sortie.Platform;

namespace Sortie.Hosting;

/// <summary>Writes <see cref="ApiProblem"/> and unreadable request bodies as problem+json.</summary>
public sealed class ApiProblemHandler(IProblemDetailsService problems, ILogger<ApiProblemHandler> log) : IExceptionHandler
{
    /// <summary>When a client may try again after the database failed.</summary>
    private const int DatabaseRetrySeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (Data.DatabaseFaults.Describe(exception) is { } outage)
        {
            // The request's log scope names it (RequestLogScope): its trace id, route, user.
            log.LogWarning(exception, "The database is unavailable: answered 503");
            exception = new ApiProblem(StatusCodes.Status503ServiceUnavailable, outage) { RetryAfterSeconds = DatabaseRetrySeconds };
        }
        var (status, detail, title) = exception switch
        {
            ApiProblem p => (p.Status, p.Message, p.Title),
            // Malformed JSON, unknown fields, wrong types: the binder's message names the problem.
            BadHttpRequestException b => (b.StatusCode, DescribeBadRequest(b), null),
            // Two writes to one row at once that no service foresaw: the loser is told, never a 500.
            Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException => (StatusCodes.Status409Conflict,
                "Someone changed or removed this at the same moment. Reload it and try again.", null),
            _ => (0, null, null),
        };
        if (status == 0) return false;
        if (exception is ApiProblem { RetryAfterSeconds: { } retry })
            http.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Detail = detail, Title = title },
        });
    }

    /// <summary>The words for an error response that has no detail of its own (one the framework answered: 401, 404, 405, 415).</summary>
    public static string? DefaultDetail(HttpContext http, int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "Log in first: send a bearer token (POST /api/auth/login) or the sign-in cookie.",
        StatusCodes.Status404NotFound => "There is nothing at this address.",
        StatusCodes.Status405MethodNotAllowed =>
            $"This address does not take {http.Request.Method}; it takes {(http.Response.Headers.Allow.Count > 0 ? http.Response.Headers.Allow.ToString() : "other methods")}.",
        StatusCodes.Status415UnsupportedMediaType => "Send the request body as JSON, with Content-Type: application/json.",
        _ => null,
    };

    private static string DescribeBadRequest(BadHttpRequestException e) => e.InnerException switch
    {
        // A converter's own message (such as an enum's allowed values) does not say where: add the field's path.
        System.Text.Json.JsonException { Path: { Length: > 0 } path } json when !json.Message.Contains(path, StringComparison.Ordinal) =>
            $"The request body is not valid JSON for this endpoint: {json.Message} Path: {path}.",
        System.Text.Json.JsonException json => $"The request body is not valid JSON for this endpoint: {json.Message}",
        _ => e.Message,
    };
}

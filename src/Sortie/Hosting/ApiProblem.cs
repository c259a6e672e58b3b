using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Sortie.Hosting;

/// <summary>
/// A rule the caller broke, said in words. Application services throw it; the API turns it into an
/// RFC 9457 problem+json response and the UI shows <see cref="Exception.Message"/> as it is.
/// </summary>
public sealed class ApiProblem(int status, string detail, string? title = null) : Exception(detail)
{
    public int Status { get; } = status;
    public string? Title { get; } = title;
    /// <summary>Seconds after which a 429 or a 503 may be retried.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Input quoted back in a detail, cut short: an answer must not grow with what a client sends.</summary>
    public static string Echo(string input, int max = 64) => input.Length <= max ? input : input[..max] + "…";

    public static ApiProblem BadRequest(string detail) => new(StatusCodes.Status400BadRequest, detail);
    public static ApiProblem NotFound(string detail) => new(StatusCodes.Status404NotFound, detail);
    public static ApiProblem Forbidden(string detail) => new(StatusCodes.Status403Forbidden, detail);
    public static ApiProblem Conflict(string detail) => new(StatusCodes.Status409Conflict, detail);
    public static ApiProblem TooMany(string detail, int? retryAfterSeconds = null) =>
        new(StatusCodes.Status429TooManyRequests, detail) { RetryAfterSeconds = retryAfterSeconds };
}

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

namespace Sortie.Platform;

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

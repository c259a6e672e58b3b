using k8s.Models;

namespace Sortie.Runners.Kubernetes;

/// <summary>A resource's request and limit (Kubernetes quantities such as 250m, 2, 512Mi).</summary>
public sealed record ResourceRange(string Request, string Limit)
{
    /// <summary>"request/limit", or one quantity for both.</summary>
    public static ResourceRange Parse(string? text, ResourceRange fallback, string key)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        var parts = text.Split('/', StringSplitOptions.TrimEntries);
        if (parts.Length is < 1 or > 2 || !parts.All(IsQuantity))
            throw new InvalidOperationException($"{key}: '{text}' is not a quantity or request/limit (e.g. 500m/2, 512Mi/2Gi).");
        var range = new ResourceRange(parts[0], parts[^1]);
        if (new ResourceQuantity(range.Request).ToDecimal() > new ResourceQuantity(range.Limit).ToDecimal())
            throw new InvalidOperationException($"{key}: the request {range.Request} is more than the limit {range.Limit}.");
        return range;
    }

    private static bool IsQuantity(string text)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(text, @"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")) return false;
        try { return new ResourceQuantity(text).ToDecimal() > 0; }
        catch (FormatException) { return false; }
    }
}

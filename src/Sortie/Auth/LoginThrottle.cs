using System.Collections.Concurrent;

namespace Sortie.Auth;

/// <summary>
/// Slows down password guessing. After a few failures for one username, or from one address,
/// further attempts are refused for a while that doubles with each failure. Unknown usernames are
/// throttled exactly like known ones, so the throttle tells an attacker nothing about who exists.
/// </summary>
public sealed class LoginThrottle(TimeProvider clock)
{
    public const int FreeFailures = 5;
    private static readonly TimeSpan FirstLockout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LongestLockout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan Forget = TimeSpan.FromHours(1);

    private sealed record Failures(int Count, DateTimeOffset Last, DateTimeOffset LockedUntil);
    private readonly ConcurrentDictionary<string, Failures> _failures = new();

    /// <summary>How long the caller must wait before trying again, or null if they may try now.</summary>
    public TimeSpan? RetryAfter(string username, string? address)
    {
        var now = clock.GetUtcNow();
        TimeSpan? wait = null;
        foreach (var key in Keys(username, address))
            if (_failures.TryGetValue(key, out var f) && f.LockedUntil > now)
                wait = Max(wait, f.LockedUntil - now);
        return wait;
    }

    public void Failed(string username, string? address)
    {
        var now = clock.GetUtcNow();
        foreach (var key in Keys(username, address))
        {
            // An address gets more room than a name: many people may share one NAT.
            var free = key.StartsWith("a:", StringComparison.Ordinal) ? FreeFailures * 4 : FreeFailures;
            _failures.AddOrUpdate(key,
                _ => new Failures(1, now, now),
                (_, f) =>
                {
                    var count = now - f.Last > Forget ? 1 : f.Count + 1;
                    var lockout = count < free ? TimeSpan.Zero
                        : TimeSpan.FromTicks(Math.Min(LongestLockout.Ticks, FirstLockout.Ticks << Math.Min(count - free, 10)));
                    return new Failures(count, now, now + lockout);
                });
        }
        if (_failures.Count > 100_000) Prune(now);
    }

    public void Succeeded(string username) => _failures.TryRemove(UserKey(username), out _);

    private static IEnumerable<string> Keys(string username, string? address)
    {
        yield return UserKey(username);
        if (address is not null) yield return $"a:{address}";
    }

    private static string UserKey(string username) => $"u:{username.Trim().ToLowerInvariant()}";

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, f) in _failures)
            if (now - f.Last > Forget) _failures.TryRemove(key, out _);
    }

    private static TimeSpan? Max(TimeSpan? a, TimeSpan b) => a is null || b > a ? b : a;
}

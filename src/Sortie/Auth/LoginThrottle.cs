using System.Collections.Concurrent;

namespace Sortie.Auth;

/// <summary>
/// Slows down password guessing, without letting one client lock out everyone who shares its address (a NAT, or a
/// proxy not listed in SORTIE_TRUSTED_PROXIES). Failures count three ways, each locking for a while that doubles with
/// each further failure:
/// <list type="bullet">
/// <item>a name from one address (<see cref="FreeFailures"/>): one client guessing one account;</item>
/// <item>a name from anywhere (<see cref="FreeFailuresPerName"/>): guessing one account from many addresses;</item>
/// <item>an address under any names (<see cref="FreeFailuresPerAddress"/>): spraying passwords over many accounts.
/// It does not lock a name that logged in from that address lately, so the others behind it carry on.</item>
/// </list>
/// Unknown usernames are throttled exactly like known ones, so the throttle tells an attacker nothing about who exists.
/// </summary>
public sealed class LoginThrottle(TimeProvider clock)
{
    public const int FreeFailures = 5;
    public const int FreeFailuresPerName = FreeFailures * 2;
    public const int FreeFailuresPerAddress = FreeFailures * 10;
    private static readonly TimeSpan FirstLockout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LongestLockout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan Forget = TimeSpan.FromHours(1);
    /// <summary>How long a login from an address keeps that name clear of the address's lockout.</summary>
    private static readonly TimeSpan RememberLogin = TimeSpan.FromDays(30);
    private const int MaxEntries = 100_000;

    private sealed record Failures(int Count, DateTimeOffset Last, DateTimeOffset LockedUntil);
    private readonly ConcurrentDictionary<string, Failures> _failures = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _loggedIn = new();

    /// <summary>How long the caller must wait before trying again, or null if they may try now.</summary>
    public TimeSpan? RetryAfter(string username, string? address)
    {
        var now = clock.GetUtcNow();
        var knownHere = LoggedInLately(username, address, now); // clear of the address's own lockout
        TimeSpan? wait = null;
        foreach (var (key, _) in Keys(username, address))
        {
            if (knownHere && key == AddressKey(address)) continue;
            if (_failures.TryGetValue(key, out var f) && f.LockedUntil > now)
                wait = Max(wait, f.LockedUntil - now);
        }
        return wait;
    }

    public void Failed(string username, string? address)
    {
        var now = clock.GetUtcNow();
        foreach (var (key, free) in Keys(username, address))
            _failures.AddOrUpdate(key,
                _ => new Failures(1, now, now),
                (_, f) =>
                {
                    var count = now - f.Last > Forget ? 1 : f.Count + 1;
                    var lockout = count < free ? TimeSpan.Zero
                        : TimeSpan.FromTicks(Math.Min(LongestLockout.Ticks, FirstLockout.Ticks << Math.Min(count - free, 10)));
                    return new Failures(count, now, now + lockout);
                });
        if (_failures.Count > MaxEntries) Prune(now);
    }

    public void Succeeded(string username, string? address)
    {
        _failures.TryRemove(NameKey(username), out _);
        if (address is null) return;
        _failures.TryRemove(PairKey(username, address), out _);
        _loggedIn[PairKey(username, address)] = clock.GetUtcNow();
        if (_loggedIn.Count > MaxEntries) Prune(clock.GetUtcNow());
    }

    private bool LoggedInLately(string username, string? address, DateTimeOffset now) =>
        address is not null && _loggedIn.TryGetValue(PairKey(username, address), out var at) && now - at < RememberLogin;

    private static IEnumerable<(string Key, int Free)> Keys(string username, string? address)
    {
        yield return (NameKey(username), FreeFailuresPerName);
        if (address is null) yield break;
        yield return (PairKey(username, address), FreeFailures);
        yield return (AddressKey(address)!, FreeFailuresPerAddress);
    }

    private static string Normal(string username) => username.Trim().ToLowerInvariant();
    private static string NameKey(string username) => $"u:{Normal(username)}";
    private static string PairKey(string username, string address) => $"p:{address}|{Normal(username)}";
    private static string? AddressKey(string? address) => address is null ? null : $"a:{address}";

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, f) in _failures)
            if (now - f.Last > Forget) _failures.TryRemove(key, out _);
        foreach (var (key, at) in _loggedIn)
            if (now - at > RememberLogin) _loggedIn.TryRemove(key, out _);
    }

    private static TimeSpan? Max(TimeSpan? a, TimeSpan b) => a is null || b > a ? b : a;
}

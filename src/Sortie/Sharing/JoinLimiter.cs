using System.Threading.RateLimiting;
using Sortie.Platform;

namespace Sortie.Sharing;

/// <summary>
/// Limits link joins per user and per address, so that guessing tokens is slow even from many accounts.
/// (A token has 256 random bits; this is about noise and abuse, not the odds.) The limits per minute come from
/// SORTIE_JOIN_LIMIT_PER_USER and SORTIE_JOIN_LIMIT_PER_ADDRESS (the benchmarks raise them).
/// </summary>
public sealed class JoinLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<(Guid User, string? Address)> _limiter;

    public JoinLimiter(SortieOptions options)
    {
        var perUser = options.JoinLimitPerUser;
        var perAddress = options.JoinLimitPerAddress;
        _limiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<(Guid User, string? Address), Guid>(r =>
                RateLimitPartition.GetFixedWindowLimiter(r.User, _ => Window(perUser))),
            PartitionedRateLimiter.Create<(Guid User, string? Address), string>(r =>
                RateLimitPartition.GetFixedWindowLimiter(r.Address ?? "", _ => Window(perAddress))));
    }

    /// <summary>True when the caller may try a join now.</summary>
    public bool TryAcquire(Guid user, string? address)
    {
        using var lease = _limiter.AttemptAcquire((user, address));
        return lease.IsAcquired;
    }

    private static FixedWindowRateLimiterOptions Window(int permits) =>
        new() { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 };

    public void Dispose() => _limiter.Dispose();
}

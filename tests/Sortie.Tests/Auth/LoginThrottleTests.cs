using Sortie.Auth;

namespace Sortie.Tests.Auth;

/// <summary>The throttle's rules on their own, with a clock the test moves.</summary>
public sealed class LoginThrottleTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private readonly ManualClock _clock = new();
    private LoginThrottle NewThrottle() => new(_clock);

    [Fact]
    public void One_client_guessing_a_name_is_locked_out_but_the_name_still_works_from_elsewhere()
    {
        var throttle = NewThrottle();
        for (var i = 0; i < LoginThrottle.FreeFailures; i++) throttle.Failed("bob", "203.0.113.1");

        Assert.NotNull(throttle.RetryAfter("bob", "203.0.113.1"));
        Assert.Null(throttle.RetryAfter("bob", "198.51.100.2"));
        Assert.Null(throttle.RetryAfter("carol", "203.0.113.1"));
    }

    [Fact]
    public void Guessing_one_name_from_many_addresses_locks_the_name_everywhere()
    {
        var throttle = NewThrottle();
        for (var i = 0; i < LoginThrottle.FreeFailuresPerName; i++) throttle.Failed("carol", $"203.0.113.{i + 1}");

        Assert.NotNull(throttle.RetryAfter("carol", "198.51.100.2"));
        _clock.Now += TimeSpan.FromSeconds(31);
        Assert.Null(throttle.RetryAfter("carol", "198.51.100.2"));
    }

    [Fact]
    public void Spraying_from_one_address_locks_new_names_there_but_not_those_who_logged_in_from_it()
    {
        var throttle = NewThrottle();
        throttle.Succeeded("alice", "203.0.113.1");
        for (var i = 0; i < LoginThrottle.FreeFailuresPerAddress; i++) throttle.Failed($"sprayed{i}", "203.0.113.1");

        Assert.Null(throttle.RetryAfter("alice", "203.0.113.1"));
        Assert.NotNull(throttle.RetryAfter("newcomer", "203.0.113.1"));
        Assert.Null(throttle.RetryAfter("newcomer", "198.51.100.2"));
    }

    [Fact]
    public void Unknown_and_known_names_are_throttled_alike()
    {
        var throttle = NewThrottle();
        throttle.Succeeded("alice", "198.51.100.9");
        for (var i = 0; i < LoginThrottle.FreeFailures; i++)
        {
            throttle.Failed("alice", "203.0.113.1");
            throttle.Failed("nobody-here", "203.0.113.1");
        }
        Assert.Equal(throttle.RetryAfter("alice", "203.0.113.1"), throttle.RetryAfter("nobody-here", "203.0.113.1"));
    }
}

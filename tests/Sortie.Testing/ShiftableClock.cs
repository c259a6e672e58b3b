namespace Sortie.Testing;

/// <summary>
/// The server's clock in a test that needs time to pass: it runs with the system clock (timers and periodic work go
/// on as usual) and a test moves it forward at once instead of sleeping, e.g. past a link's expiry or a session's
/// idle timeout. Moves of seconds, not hours: the access tokens it dates are also checked against the system clock
/// (with 30 s of leeway).
/// </summary>
public sealed class ShiftableClock : TimeProvider
{
    private long _shift;

    public TimeSpan Shift => TimeSpan.FromTicks(Interlocked.Read(ref _shift));

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Shift;

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _shift, by.Ticks);
    }
}

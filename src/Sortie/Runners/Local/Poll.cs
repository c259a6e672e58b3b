using System.Diagnostics;

namespace Sortie.Runners.Local;

/// <summary>
/// Waiting on what gives no event to await (/proc, a socket appearing): it is looked at again and again, until it
/// holds or the time is up. A monotonic clock measures the wait, so a change of the system's time does not cut it
/// short or make it endless.
/// </summary>
internal static class Poll
{
    /// <summary>Looks at <paramref name="done"/> every <paramref name="every"/> until it holds (true) or <paramref name="limit"/> has passed (false).</summary>
    public static async Task<bool> UntilAsync(Func<bool> done, TimeSpan limit, TimeSpan every, CancellationToken ct = default)
    {
        var waited = Stopwatch.StartNew();
        while (!done())
        {
            if (waited.Elapsed >= limit) return false;
            await Task.Delay(every, ct);
        }
        return true;
    }
}

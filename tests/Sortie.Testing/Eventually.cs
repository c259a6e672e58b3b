using Xunit;

namespace Sortie.Testing;

/// <summary>
/// Waits for something another thread, process or the server does in the background. The one such helper of every
/// test project (Sortie.Rfb.Tests compiles this file in: it has no other use for Sortie.Testing).
/// </summary>
public static class Eventually
{
    /// <summary>Whether <paramref name="condition"/> became true within <paramref name="timeout"/> (10 s by default).</summary>
    public static Task<bool> TrueAsync(Func<bool> condition, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), timeout);

    /// <summary>The same, for a condition that asks the server.</summary>
    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        for (var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10)); ; await Task.Delay(20, TestContext.Current.CancellationToken))
        {
            if (await condition()) return true;
            if (DateTime.UtcNow > deadline) return false;
        }
    }
}

namespace Sortie.Testing;

public static class Eventually
{
    /// <summary>Waits for something the server does in the background; false if it has not happened in time.</summary>
    public static Task<bool> TrueAsync(Func<bool> condition, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), timeout);

    /// <summary>The same, for a condition that asks the server.</summary>
    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        for (var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10)); ; await Task.Delay(25))
        {
            if (await condition()) return true;
            if (DateTime.UtcNow > deadline) return false;
        }
    }
}

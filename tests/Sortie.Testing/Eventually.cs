namespace Sortie.Testing;

public static class Eventually
{
    /// <summary>Waits for something the server does in the background; false if it has not happened in time.</summary>
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        for (var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10)); ; await Task.Delay(25))
        {
            if (condition()) return true;
            if (DateTime.UtcNow > deadline) return false;
        }
    }
}

using Microsoft.EntityFrameworkCore;
using Sortie.Platform;

namespace Sortie.Data;

public static class Saving
{
    /// <summary>
    /// Saves; when a row this unit of work changes or removes was removed by another request in the meantime (a double
    /// click, two admins at once), throws <paramref name="gone"/>, the words for what is no longer there, instead.
    /// </summary>
    public static async Task SaveChangesOrAsync(this DbContext db, ApiProblem gone, CancellationToken ct)
    {
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException) { throw gone; }
    }
}

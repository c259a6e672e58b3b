using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Sortie.Data;

/// <summary>Failures of the database itself, as opposed to a request's: it is down, unreachable, busy, or its disk is full.</summary>
public static class DatabaseFaults
{
    private const int SqliteBusy = 5, SqliteLocked = 6, SqliteIoError = 10, SqliteFull = 13, SqliteCantOpen = 14;

    /// <summary>Words for a failure of the database in <paramref name="e"/> (or its causes); null for any other error.</summary>
    public static string? Describe(Exception e)
    {
        for (Exception? cause = e; cause is not null; cause = cause.InnerException)
        {
            switch (cause)
            {
                case SqliteException { SqliteErrorCode: SqliteFull }:
                    return "The database's disk is full: nothing can be saved until an operator frees space.";
                case SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked or SqliteIoError or SqliteCantOpen }:
                case DbException { IsTransient: true }: // PostgreSQL: unreachable, shutting down, too many connections, ...
                    return "The database is unavailable at the moment. Try again in a few seconds.";
            }
        }
        return null;
    }
}

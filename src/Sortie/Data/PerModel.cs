using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Sortie.Data;

/// <summary>
/// A compiled query (EF.CompileAsyncQuery) for each model it meets. EF binds a compiled query to the model of the
/// first context that runs it and refuses any other, and one process may hold several: SQLite's and PostgreSQL's
/// (the tests start servers on both side by side).
/// </summary>
public sealed class PerModel<TQuery>(Func<TQuery> compile) where TQuery : class
{
    private readonly ConditionalWeakTable<IModel, TQuery> _queries = new();

    public TQuery For(DbContext db) => _queries.GetValue(db.Model, _ => compile());
}

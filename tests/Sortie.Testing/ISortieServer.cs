namespace Sortie.Testing;

/// <summary>
/// A running Sortie server that tests reach over HTTP: in-process (<see cref="SortieServer"/>) or a process of its own
/// (<see cref="ServerProcess"/>, <see cref="ProductionPortal"/>).
/// </summary>
public interface ISortieServer
{
    Uri BaseUri { get; }
}

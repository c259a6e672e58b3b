namespace Sortie.Runners;

/// <summary>A session's processes could not start, in words a user can read.</summary>
public sealed class RunnerException(string reason) : Exception(reason);

namespace Sortie.Runners.Local;

/// <summary>Who is at the other end of a Unix socket, as the kernel recorded it when that end connected or listened.</summary>
public readonly record struct PeerCredentials(int Pid, int Uid, int Gid);

namespace Sortie.Runners.Local;

/// <summary>
/// The uids sandboxes run as. As root, each session gets one of its own from <see cref="LocalRunnerOptions.FirstSandboxUid"/>'s
/// range, unique because ending a session kills whatever still runs as its uid; otherwise every sandbox runs as the server.
/// </summary>
internal sealed class SandboxUidPool(LocalRunnerOptions runner)
{
    /// <summary>The uid the server runs as.</summary>
    public static readonly int ServerUid = (int)Native.geteuid();

    /// <summary>Only root can run sandboxes as other uids (and must: see <see cref="SandboxUidPool"/>).</summary>
    public static bool ServerIsRoot => ServerUid == 0;

    /// <summary>
    /// The session's uid, drawn from its id, so that two servers on one machine (or one server restarted while an
    /// old sandbox lingers) do not hand out the same one; one in <paramref name="taken"/>, or that any process runs
    /// as, is skipped.
    /// </summary>
    public int Allocate(Guid sessionId, IReadOnlySet<int> taken)
    {
        if (!ServerIsRoot) return ServerUid;
        var offset = (int)(BitConverter.ToUInt32(sessionId.ToByteArray(), 12) % (uint)runner.SandboxUidCount);
        var uid = runner.FirstSandboxUid + offset;
        while (taken.Contains(uid) || Processes.RunningAs(uid).Count > 0)
            uid = runner.FirstSandboxUid + (uid - runner.FirstSandboxUid + 1) % runner.SandboxUidCount;
        return uid;
    }
}

namespace Sortie.Testing;

/// <summary>
/// A server started on an existing data dir, as after a restart; it leaves the data dir in place. With
/// <paramref name="sessionsOutliveIt"/> its sessions keep running when it stops, for the next server to resume.
/// </summary>
public sealed class RestartedServer(string dataDir, bool sessionsOutliveIt = false) : SortieServer(dataDir)
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        sessionsOutliveIt ? [new("SORTIE_STOP_SESSIONS_ON_EXIT", "false")] : [];
}

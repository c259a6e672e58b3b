namespace Sortie.Tests.Sessions;

public sealed class QuotaServer : NoDesktopServer
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("SORTIE_MAX_SESSIONS_PER_USER", "2")];
}

namespace Sortie.Tests.Sessions;

public sealed class ShortTimeoutServer : SortieServer
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("SORTIE_SESSION_TIMEOUT", $"{Timeout.TotalSeconds}s")];
}

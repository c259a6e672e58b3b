namespace Sortie.Platform;

/// <summary>An RDP account: what a secret holds. Never stored in the database, never returned by the API.</summary>
public sealed record RdpCredentials(string Username, string Password, string? Domain = null)
{
    public override string ToString() => $"RdpCredentials {{ Username = {Username}, Domain = {Domain} }}"; // no password in logs
}

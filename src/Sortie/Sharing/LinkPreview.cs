namespace Sortie.Sharing;

/// <summary>Whose session a working link leads to, as the login page names it before a join.</summary>
public sealed record LinkPreview(string OwnerUsername, string AppName);

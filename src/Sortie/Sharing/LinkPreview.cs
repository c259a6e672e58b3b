namespace Sortie.Sharing;

/// <summary>Whose session a working link leads to, and whether it is recorded, as the login page says before a join.</summary>
public sealed record LinkPreview(string OwnerUsername, string AppName, bool Recorded);

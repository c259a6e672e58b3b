namespace Sortie.Runners;

/// <summary>A kiosk browser on one web address; a path ("/scalar/") is a page of the portal itself.</summary>
public sealed record BrowserProgram(string Url) : SessionProgram;

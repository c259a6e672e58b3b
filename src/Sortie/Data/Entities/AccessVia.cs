namespace Sortie.Data;

/// <summary>How a caller reaches a session (the API writes it snake_case: "owner", "link").</summary>
public enum AccessVia { None, Owner, Admin, Share, Link }

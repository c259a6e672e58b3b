namespace Sortie.Data;

public enum SharePermission { ReadOnly, ReadWrite }

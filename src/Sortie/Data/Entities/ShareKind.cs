namespace Sortie.Data;

public enum ShareKind { User, Link }

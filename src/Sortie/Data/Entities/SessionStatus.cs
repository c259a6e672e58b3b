namespace Sortie.Data;

public enum SessionStatus { Creating, Running, Terminated, Failed }

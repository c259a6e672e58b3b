namespace Sortie.Data;

public enum UserRole { User, Admin }

namespace Sortie.Data;

public enum LaunchType { Container, WebProxy, Url }

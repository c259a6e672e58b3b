namespace Sortie.Data;

public enum StreamProtocol { Vnc, Rdp }

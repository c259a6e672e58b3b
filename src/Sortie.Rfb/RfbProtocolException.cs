namespace Sortie.Rfb;

/// <summary>
/// The bytes on the wire broke the RFB protocol (or a rule this library enforces on it). The message
/// names what was wrong, because it ends up in the gateway's log when a connection is cut.
/// </summary>
public sealed class RfbProtocolException(string message) : Exception(message);

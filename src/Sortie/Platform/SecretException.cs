namespace Sortie.Platform;

/// <summary>A secret that cannot be used: <see cref="Exception.Message"/> is for the log (it names files), not for users.</summary>
public sealed class SecretException(string message) : Exception(message);

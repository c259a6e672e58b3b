namespace Sortie.Runners;

/// <summary>
/// The one TCP endpoint outside its sandbox that a session may reach. The sandbox has no network: a relay outside
/// it (running as the sandbox's uid, with the host's network) connects <paramref name="Host"/>:<paramref name="Port"/>
/// for each connection made to a Unix socket in the session's run/ folder, and inside the sandbox a forwarder turns
/// that socket into 127.0.0.1:<paramref name="LocalPort"/> on the sandbox's own loopback.
/// </summary>
public sealed record Egress(string Host, int Port, int LocalPort);

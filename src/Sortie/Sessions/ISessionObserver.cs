namespace Sortie.Sessions;

/// <summary>
/// Told when a session's desktop is up and when a session ended, after the change is saved: features above the
/// sessions (recording) act on it without the sessions knowing them.
/// </summary>
public interface ISessionObserver
{
    Task SessionStartedAsync(Guid sessionId);

    Task SessionEndedAsync(Guid sessionId);
}

namespace Sortie.Access;

/// <summary>
/// What the features (sessions, sharing, sign-in, user administration) say after they saved a change of who may see
/// what; the viewer room (Viewers.ViewerGuard) acts on it, closing the live connections that no longer stand. The
/// features depend on this, never on the room, so the dependency goes one way.
/// </summary>
public interface IAccessChanges
{
    /// <summary>Who may see <paramref name="sessionId"/> (null: any session, say an account was deleted) changed.</summary>
    Task SessionChangedAsync(Guid? sessionId);

    /// <summary>Some browser logins (sign-in cookies) of the user ended: logout, password change.</summary>
    Task LoginsEndedAsync(Guid userId);
}

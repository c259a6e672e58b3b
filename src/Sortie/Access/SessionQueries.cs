using Sortie.Data;

namespace Sortie.Access;

/// <summary>The filters every part uses to read sessions, so that each rule is written once.</summary>
public static class SessionQueries
{
    /// <summary>Sessions creating or running (<see cref="Session.IsLive"/>).</summary>
    public static IQueryable<Session> Live(this IQueryable<Session> sessions) => sessions.Where(Session.Live);

    public static IQueryable<Session> Running(this IQueryable<Session> sessions) =>
        sessions.Where(s => s.Status == SessionStatus.Running);
}

using Sortie.Auth;
using Sortie.Data;

namespace Sortie.Sessions;

/// <summary>How a caller may reach a session. The one place that decides it, for the API, the UI and the gateway.</summary>
public enum AccessVia { None, Owner, Admin }

public static class SessionAccess
{
    public static AccessVia Of(Caller caller, Session session) =>
        session.OwnerId == caller.Id ? AccessVia.Owner
        : caller.IsAdmin ? AccessVia.Admin
        : AccessVia.None;

    /// <summary>Owners and admins manage a session (terminate it, and later share it).</summary>
    public static bool CanManage(AccessVia via) => via is AccessVia.Owner or AccessVia.Admin;
}

namespace Sortie.Runners;

/// <summary>The words a user reads when a session's program ended by itself.</summary>
public static class ExitReasons
{
    /// <summary>
    /// <paramref name="exit"/> is what sandbox-init.sh wrote: "app exited &lt;status&gt;" or "display exited". It comes
    /// from inside the sandbox, so it is only ever matched against this fixed list, never shown as it is.
    /// </summary>
    public static string For(ProgramKind kind, string? exit)
    {
        const string appExited = "app exited";
        if (exit is null || !exit.StartsWith(appExited, StringComparison.Ordinal)) return "The desktop stopped unexpectedly.";
        var status = int.TryParse(exit[appExited.Length..].Trim(), out var s) ? s : -1;
        return kind switch
        {
            ProgramKind.Rdp => Rdp(status),
            ProgramKind.Browser => "The browser was closed.",
            _ => "The application exited.",
        };
    }

    /// <summary>The kernel killed a process of the session because the session used all the memory it may.</summary>
    public static string OutOfMemory(string limit) => $"The session ran out of memory (its limit is {limit}) and was ended.";

    /// <summary>xfreerdp's exit status (FreeRDP 2's client/X11/xfreerdp.h, XF_EXIT_*), in words.</summary>
    public static string Rdp(int status) => status switch
    {
        0 or 1 or 11 => "The remote desktop closed the connection.",
        2 => "The remote session was logged off.",
        3 => "The remote desktop ended the session after it was idle.",
        4 => "The remote desktop's logon timed out.",
        5 => "Another connection to the same remote session replaced this one.",
        7 or 8 => "The remote desktop refused the connection.",
        9 or 144 or 155 or 156 or 158 => "The account may not log on to the remote desktop.",
        10 => "The remote desktop asks for fresh credentials.",
        >= 16 and <= 26 => "The remote desktop has no licence for this connection.",
        // The remote side closed or broke the connection (131 when xfreerdp noticed in its loop, 147 when in a read).
        131 or 147 => "The connection to the remote desktop was lost.",
        132 or 134 or 154 or 159 => "The remote desktop refused the credentials.",
        133 => "The remote desktop does not accept the app's security setting.",
        135 or 151 or 153 or 157 => "The remote desktop's account is locked out, disabled or expired.",
        139 or 140 => "The remote desktop's name could not be resolved.",
        141 => "The remote desktop could not be reached.",
        143 => "The TLS connection to the remote desktop failed: its certificate is not the trusted one.",
        148 or 149 or 152 => "The account's password has expired on the remote desktop.",
        _ => $"The remote desktop connection ended (xfreerdp exit status {status}).",
    };
}

namespace Sortie.Rfb;

/// <summary>What a viewer may do with a shared session.</summary>
public enum ViewerRights
{
    /// <summary>Sees the desktop and controls it: keyboard, mouse, clipboard, resizing. The session's owner (or an admin).</summary>
    Full,

    /// <summary>
    /// Sees the desktop and uses it (keyboard, mouse, clipboard) but leaves its size and power to the owner: a viewer
    /// with Full Access through a share, who opening the session in a small window must not shrink everyone's desktop.
    /// </summary>
    Control,

    /// <summary>Sees the desktop; nothing it sends can change the session or read its clipboard.</summary>
    ViewOnly,
}

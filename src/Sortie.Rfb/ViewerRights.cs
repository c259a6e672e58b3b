namespace Sortie.Rfb;

/// <summary>What a viewer may do with a shared session.</summary>
public enum ViewerRights
{
    /// <summary>Sees the desktop and controls it: keyboard, mouse, clipboard, resizing.</summary>
    Full,

    /// <summary>Sees the desktop; nothing it sends can change the session or read its clipboard.</summary>
    ViewOnly,
}

namespace Sortie.Rfb;

/// <summary>
/// What one viewer connection's two directions must agree on. The <see cref="ClientStreamFilter"/>
/// learns it from the viewer and the <see cref="ServerStreamFilter"/> frames the server's answers
/// with it; the two run on different threads, so every member is safe to use from both.
/// </summary>
/// <remarks>
/// Causality keeps the two in step without more coordination: the server only answers what it has
/// received, and the client filter records each fact before it forwards the bytes that carry it.
/// </remarks>
public sealed class RfbStreamState
{
    private readonly Lock _lock = new();
    private RfbBanner? _viewerVersion;
    private PixelFormat? _pixelFormat;
    private bool _viewerChosePixelFormat;
    private bool _updateRequested;
    private bool _viewerFollowsResize;
    private (int Width, int Height) _desktopSize;

    /// <summary>The protocol version the viewer answered with; it fixes the security handshake's layout.</summary>
    public RfbBanner? ViewerVersion
    {
        get { lock (_lock) return _viewerVersion; }
    }

    /// <summary>
    /// The pixel format the server encodes in: the viewer's SetPixelFormat if it sent one, else the
    /// format announced in ServerInit. Null until one of them arrives.
    /// </summary>
    public PixelFormat? PixelFormat
    {
        get { lock (_lock) return _pixelFormat; }
    }

    /// <summary>Whether the viewer has asked for framebuffer updates yet (a request or continuous updates).</summary>
    public bool UpdateRequested
    {
        get { lock (_lock) return _updateRequested; }
    }

    /// <summary>
    /// Whether the encodings the server was last given include DesktopSize or ExtendedDesktopSize. A VNC server
    /// disconnects a viewer without them when the desktop changes size (it could not tell it the new size).
    /// </summary>
    public bool ViewerFollowsResize
    {
        get { lock (_lock) return _viewerFollowsResize; }
    }

    /// <summary>The desktop's size as the server last told the viewer (ServerInit, then each resize); (0, 0) before that.</summary>
    public (int Width, int Height) DesktopSize
    {
        get { lock (_lock) return _desktopSize; }
    }

    internal void SetDesktopSize(int width, int height)
    {
        lock (_lock) _desktopSize = (width, height);
    }

    internal void SetViewerFollowsResize(bool follows)
    {
        lock (_lock) _viewerFollowsResize = follows;
    }

    internal void SetViewerVersion(RfbBanner version)
    {
        lock (_lock) _viewerVersion = version;
    }

    internal void SetViewerPixelFormat(PixelFormat format)
    {
        lock (_lock)
        {
            _pixelFormat = format;
            _viewerChosePixelFormat = true;
        }
    }

    /// <summary>ServerInit's format, which counts only until the viewer chooses its own.</summary>
    internal void SetServerPixelFormat(PixelFormat format)
    {
        lock (_lock)
        {
            if (!_viewerChosePixelFormat) _pixelFormat = format;
        }
    }

    internal void MarkUpdateRequested()
    {
        lock (_lock) _updateRequested = true;
    }
}

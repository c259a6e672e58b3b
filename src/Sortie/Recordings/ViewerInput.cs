using Sortie.Rfb;
using Sortie.Viewers;

namespace Sortie.Recordings;

/// <summary>
/// One viewer's input as it reaches the desktop, handed to the session's recording if one is running at that moment
/// (recordings start and stop while viewers stay connected). Without a recording it costs a dictionary lookup per input
/// message, and nothing per picture.
/// </summary>
public sealed class ViewerInput(Viewer viewer, RecordingManager recordings) : IInputObserver
{
    public void Key(bool down, uint keysym) => recordings.Of(viewer.SessionId)?.Key(viewer, down, keysym);

    public void Pointer(byte buttons, ushort x, ushort y) => recordings.Of(viewer.SessionId)?.Pointer(viewer, buttons, x, y);

    public void Clipboard(long length) => recordings.Of(viewer.SessionId)?.Clipboard(viewer, length);
}

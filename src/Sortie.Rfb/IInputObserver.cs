namespace Sortie.Rfb;

/// <summary>
/// Told of each input message a <see cref="ClientStreamFilter"/> passes on to the server, as the server will receive it
/// (a view-only viewer's dropped input is never reported): who did what on a desktop, for a session's recording.
/// </summary>
/// <remarks>Called on the filter's thread, inside <see cref="ClientStreamFilter.Process"/>: keep it quick.</remarks>
public interface IInputObserver
{
    /// <summary>A KeyEvent, or a QEMU extended key event (its keysym).</summary>
    void Key(bool down, uint keysym);

    void Pointer(byte buttons, ushort x, ushort y);

    /// <summary>A ClientCutText of <paramref name="length"/> bytes (plain or extended; the text is not read).</summary>
    void Clipboard(long length);
}

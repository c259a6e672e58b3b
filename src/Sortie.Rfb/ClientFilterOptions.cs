namespace Sortie.Rfb;

/// <summary>Limits the <see cref="ClientStreamFilter"/> applies to what a viewer sends.</summary>
public sealed record ClientFilterOptions
{
    /// <summary>
    /// The largest ClientCutText payload (plain or extended) accepted, so a viewer cannot make the
    /// server hold an unbounded clipboard. The payload is streamed, never buffered whole.
    /// </summary>
    public int MaxClipboardBytes { get; init; } = 16 * 1024 * 1024;
}

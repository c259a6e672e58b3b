namespace Sortie.Recordings;

/// <summary>What a record of a recording file holds (docs/recording-format.md).</summary>
public enum RecordKind : byte
{
    /// <summary>Bytes the desktop sent, in order: together, an RFB stream from the server's protocol version on.</summary>
    Desktop = 1,
    /// <summary>A JSON object: the recording began or ended, a viewer came or left.</summary>
    Event = 2,
    /// <summary>A viewer's key reached the desktop: viewer (u16), down (u8), keysym (u32; 0 when keys are not logged).</summary>
    Key = 3,
    /// <summary>A viewer's pointer event reached the desktop: viewer (u16), buttons (u8), x (u16), y (u16).</summary>
    Pointer = 4,
    /// <summary>A viewer's clipboard reached the desktop: viewer (u16), length in bytes (u32; the text is not kept).</summary>
    Clipboard = 5,
}

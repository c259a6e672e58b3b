namespace Sortie.Recordings;

/// <summary>
/// The layout of a recording file (docs/recording-format.md): <see cref="Magic"/>, then records one after another, each a
/// kind (u8), a time (u32, milliseconds since the recording began) and a length (u32), all big-endian, then the payload.
/// The file is only ever appended to, so a crash leaves every whole record before it readable.
/// </summary>
public static class RecordingFile
{
    public static ReadOnlySpan<byte> Magic => "SORTIE-RECORDING 1\n"u8;
    public const int RecordHeaderLength = 9;
    /// <summary>The largest payload a reader accepts: the recorder never writes more than one read of the desktop.</summary>
    public const int MaxPayloadLength = 1 << 20;
    public const string Extension = ".sortierec";
    public const string ContentType = "application/vnd.sortie.recording";

    /// <summary>The file of a recording: named by its id only, never by anything a user chose.</summary>
    public static string PathOf(string folder, Guid recordingId) => Path.Combine(folder, recordingId.ToString("N") + Extension);
}

namespace Sortie.Recordings;

/// <summary>
/// The recording's file cannot take more: it reached its size limit (SORTIE_RECORDING_MAX_SIZE), its disk is full, or the
/// disk refused the write. <see cref="Exception.Message"/> is the reason the recording stopped, in words.
/// </summary>
public sealed class RecordingFileException(string reason, Exception? inner = null) : Exception(reason, inner)
{
    public static RecordingFileException From(IOException e) =>
        new(Platform.DiskSpace.IsFull(e) ? DiskFull : $"the file could not be written ({e.Message})", e);

    /// <summary>The reason a full disk gives (the sweep waits before it records again after it).</summary>
    public const string DiskFull = "disk full";
}

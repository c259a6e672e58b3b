namespace Sortie.Recordings;

/// <summary>A recording reached its size limit (SORTIE_RECORDING_MAX_SIZE).</summary>
public sealed class RecordingFullException() : Exception("The recording reached its size limit.");

namespace Sortie.Recordings;

/// <summary>One record of a recording file: what, when (milliseconds since the recording began), and its bytes.</summary>
public readonly record struct RecordingEntry(RecordKind Kind, uint TimeMs, ReadOnlyMemory<byte> Payload);

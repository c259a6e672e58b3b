using System.Buffers.Binary;

namespace Sortie.Recordings;

/// <summary>
/// Reads a recording file's records in order. A file cut short (the server died while writing) ends at its last whole
/// record: what came before stays playable. A file that is not a recording, or a record longer than any the recorder
/// writes, is refused with an <see cref="InvalidDataException"/>.
/// </summary>
public static class RecordingReader
{
    public static async IAsyncEnumerable<RecordingEntry> ReadAsync(Stream file,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var magic = new byte[RecordingFile.Magic.Length];
        if (await file.ReadAtLeastAsync(magic, magic.Length, throwOnEndOfStream: false, ct) < magic.Length
            || !magic.AsSpan().SequenceEqual(RecordingFile.Magic))
            throw new InvalidDataException("This is not a Sortie recording.");
        var header = new byte[RecordingFile.RecordHeaderLength];
        while (true)
        {
            if (await file.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, ct) < header.Length) yield break;
            var kind = (RecordKind)header[0];
            var time = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
            var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(5));
            if (length > RecordingFile.MaxPayloadLength)
                throw new InvalidDataException($"A record of {length} bytes is longer than any a recording holds.");
            var payload = new byte[length];
            if (await file.ReadAtLeastAsync(payload, payload.Length, throwOnEndOfStream: false, ct) < payload.Length) yield break;
            yield return new RecordingEntry(kind, time, payload);
        }
    }

    /// <summary>The records of the file at <paramref name="path"/>, read while it may still be written to.</summary>
    public static async Task<List<RecordingEntry>> ReadFileAsync(string path, CancellationToken ct = default)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var entries = new List<RecordingEntry>();
        await foreach (var entry in ReadAsync(file, ct)) entries.Add(entry);
        return entries;
    }
}

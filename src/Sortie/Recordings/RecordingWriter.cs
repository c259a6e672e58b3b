using System.Buffers.Binary;

namespace Sortie.Recordings;

/// <summary>
/// Appends records to a new recording file, from any thread (the desktop's stream and every viewer's input). Records go
/// whole into a buffer that <see cref="Flush"/> writes out and forces to the disk, so a crash loses at most the
/// last flush interval and never leaves a record half way through the file (only, at worst, at its end).
/// </summary>
public sealed class RecordingWriter : IAsyncDisposable
{
    private readonly FileStream _file;
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _handle;
    private readonly TimeProvider _clock;
    private readonly long _startedAt;
    private readonly long _maxBytes;
    private readonly Lock _lock = new();
    private readonly byte[] _header = new byte[RecordingFile.RecordHeaderLength];

    /// <summary>Creates the file (never opens an existing one) and writes the magic.</summary>
    public RecordingWriter(string path, long maxBytes, TimeProvider clock)
    {
        _file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read | FileShare.Delete,
            BufferSize = 64 * 1024, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        _handle = _file.SafeFileHandle; // taken now: reading it later would flush the buffer outside the lock
        (_clock, _startedAt, _maxBytes) = (clock, clock.GetTimestamp(), maxBytes);
        _file.Write(RecordingFile.Magic);
        Length = RecordingFile.Magic.Length;
    }

    /// <summary>Bytes written so far, buffered ones included.</summary>
    public long Length { get; private set; }

    /// <summary>Milliseconds since the recording began: the time every record carries.</summary>
    public uint ElapsedMs => (uint)Math.Min(uint.MaxValue, _clock.GetElapsedTime(_startedAt).TotalMilliseconds);

    /// <summary>Appends one record stamped now.</summary>
    /// <exception cref="RecordingFileException">The record would take the file past its size limit (nothing is written), or
    /// the disk refused it (full, gone): the recording cannot go on.</exception>
    public void Append(RecordKind kind, ReadOnlySpan<byte> payload)
    {
        lock (_lock)
        {
            var length = RecordingFile.RecordHeaderLength + payload.Length;
            if (Length + length > _maxBytes) throw new RecordingFileException("size limit reached");
            _header[0] = (byte)kind;
            BinaryPrimitives.WriteUInt32BigEndian(_header.AsSpan(1), ElapsedMs);
            BinaryPrimitives.WriteUInt32BigEndian(_header.AsSpan(5), (uint)payload.Length);
            try
            {
                _file.Write(_header);
                _file.Write(payload);
            }
            catch (IOException e) { throw RecordingFileException.From(e); }
            Length += length;
        }
    }

    /// <summary>
    /// Writes out what is buffered, then forces the file to the disk. The wait for the disk (milliseconds, more on a busy
    /// disk) happens outside the lock: a viewer's input, appended on its relay's path, never waits for it.
    /// </summary>
    /// <exception cref="RecordingFileException">The disk refused it.</exception>
    public void Flush()
    {
        try
        {
            lock (_lock) _file.Flush(flushToDisk: false);
            RandomAccess.FlushToDisk(_handle);
        }
        catch (IOException e) { throw RecordingFileException.From(e); }
    }

    public async ValueTask DisposeAsync()
    {
        try { Flush(); }
        catch (RecordingFileException) { } // the disk is full or gone: what reached it stays readable
        finally
        {
            try { await _file.DisposeAsync(); } catch (IOException) { }
        }
    }
}

using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Sortie.Rfb;

/// <summary>
/// How many messages of each type a filter forwarded or dropped, and how many bytes, so tests and
/// benchmarks can see what a filter did without parsing its output. Safe to read while the filter runs.
/// </summary>
public sealed class FilterCounters
{
    private readonly long[] _forwarded = new long[256];
    private readonly long[] _dropped = new long[256];
    private readonly ConcurrentDictionary<int, StrongBox<long>> _rectangles = new();
    private long _forwardedBytes;
    private long _droppedBytes;

    /// <summary>Messages of <paramref name="messageType"/> passed on (rewritten ones included).</summary>
    public long Forwarded(byte messageType) => Interlocked.Read(ref _forwarded[messageType]);

    /// <summary>Messages of <paramref name="messageType"/> withheld.</summary>
    public long Dropped(byte messageType) => Interlocked.Read(ref _dropped[messageType]);

    /// <summary>All messages passed on, handshake excluded.</summary>
    public long ForwardedMessages => Sum(_forwarded);

    /// <summary>All messages withheld.</summary>
    public long DroppedMessages => Sum(_dropped);

    /// <summary>Framebuffer-update rectangles forwarded in <paramref name="encoding"/> (server filter only).</summary>
    public long Rectangles(int encoding) => _rectangles.TryGetValue(encoding, out var count) ? Interlocked.Read(ref count.Value) : 0;

    /// <summary>Bytes written to the output, handshake included.</summary>
    public long ForwardedBytes => Interlocked.Read(ref _forwardedBytes);

    /// <summary>Bytes consumed and not written, rewritten-away bytes included.</summary>
    public long DroppedBytes => Interlocked.Read(ref _droppedBytes);

    internal void CountForwarded(byte messageType) => Interlocked.Increment(ref _forwarded[messageType]);

    internal void CountDropped(byte messageType) => Interlocked.Increment(ref _dropped[messageType]);

    internal void CountRectangle(int encoding) => Interlocked.Increment(ref _rectangles.GetOrAdd(encoding, _ => new StrongBox<long>()).Value);

    internal void AddForwardedBytes(long count) => Interlocked.Add(ref _forwardedBytes, count);

    internal void AddDroppedBytes(long count) => Interlocked.Add(ref _droppedBytes, count);

    private static long Sum(long[] counts)
    {
        long total = 0;
        for (var i = 0; i < counts.Length; i++) total += Interlocked.Read(ref counts[i]);
        return total;
    }
}

using Sortie.Rfb;
using Sortie.Rfb.Testing;
using Sortie.Recordings;

namespace Sortie.Testing;

/// <summary>Plays a recording's desktop stream through the tests' own RFB client, as fast as it decodes.</summary>
public static class RecordingReplay
{
    /// <summary>The picture at the end of the recorded stream (or where a file cut short stops), and the updates it took.</summary>
    public static async Task<(Framebuffer Picture, int Updates)> FinalPictureAsync(IEnumerable<RecordingEntry> entries)
    {
        var desktop = new MemoryStream();
        foreach (var entry in entries.Where(e => e.Kind == RecordKind.Desktop)) desktop.Write(entry.Payload.Span);
        desktop.Position = 0;
        await using var client = new RfbClient(new ReplayStream(desktop));
        await client.HandshakeAsync();
        await client.SetPixelFormatAsync(PixelFormat.Rgb888); // what the recorder asked for: not sent anywhere, only believed
        try
        {
            while (true) await client.ReadMessageAsync();
        }
        catch (EndOfStreamException) { } // the end of the recording, or of a file cut short mid-message
        return (client.Framebuffer, client.UpdatesReceived);
    }

    /// <summary>Reads the recorded bytes; what the client sends goes nowhere (the recording already holds the answers).</summary>
    private sealed class ReplayStream(Stream recorded) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => recorded.Read(buffer, offset, count);
        public override void Write(byte[] buffer, int offset, int count) { }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

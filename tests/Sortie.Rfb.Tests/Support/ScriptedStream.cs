namespace Sortie.Rfb.Tests.Support;

/// <summary>A stand-in server: reads return the scripted bytes, writes are kept for inspection.</summary>
public sealed class ScriptedStream(byte[] script) : Stream
{
    private readonly MemoryStream _script = new(script);
    private readonly MemoryStream _written = new();

    public byte[] Written => _written.ToArray();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => _script.Read(buffer, offset, count);

    public override void Write(byte[] buffer, int offset, int count) => _written.Write(buffer, offset, count);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}

namespace Sortie.Rfb.Tests.Support;

/// <summary>Ways to cut a byte stream into the chunks a socket might deliver.</summary>
public static class Chunks
{
    public static byte[][] Whole(byte[] bytes) => [bytes];

    public static byte[][] OneByteAtATime(byte[] bytes) => [.. bytes.Select(b => new[] { b })];

    /// <summary>Chunks of 1 to <paramref name="maxLength"/> bytes, sizes drawn from <paramref name="random"/>.</summary>
    public static byte[][] Random(byte[] bytes, Random random, int maxLength = 64)
    {
        var chunks = new List<byte[]>();
        for (var offset = 0; offset < bytes.Length;)
        {
            var length = Math.Min(random.Next(1, maxLength + 1), bytes.Length - offset);
            chunks.Add(bytes[offset..(offset + length)]);
            offset += length;
        }
        return [.. chunks];
    }
}

namespace Sortie.Rfb.Tests.Support;

/// <summary>Damages a valid stream the ways a hostile peer or a bug might: flipped, replaced, inserted, lost and repeated bytes.</summary>
public static class Mutations
{
    public static byte[] Apply(byte[] stream, Random random, int count)
    {
        var bytes = new List<byte>(stream);
        for (var i = 0; i < count && bytes.Count > 0; i++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 9)).Select(_ => (byte)random.Next(256)));
                    break;
                case 3:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 9), bytes.Count - at));
                    break;
                default:
                    var length = Math.Min(random.Next(1, 33), bytes.Count - at);
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
            }
        }
        return [.. bytes];
    }
}

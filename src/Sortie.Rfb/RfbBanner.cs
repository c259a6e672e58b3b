using System.Text;

namespace Sortie.Rfb;

/// <summary>
/// The 12-byte ProtocolVersion greeting, <c>"RFB 003.008\n"</c>, that opens both directions. The
/// version the viewer answers with decides how the security handshake that follows is laid out.
/// </summary>
public readonly record struct RfbBanner(int Major, int Minor)
{
    /// <summary>Bytes the greeting takes on the wire.</summary>
    public const int Length = 12;

    public static readonly RfbBanner Version33 = new(3, 3);
    public static readonly RfbBanner Version37 = new(3, 7);
    public static readonly RfbBanner Version38 = new(3, 8);

    /// <summary>Whether this is one of the versions RFC 6143 defines (3.3, 3.7, 3.8).</summary>
    public bool IsStandard => this == Version33 || this == Version37 || this == Version38;

    /// <summary>Whether <paramref name="bytes"/> starts with a well-formed greeting.</summary>
    public static bool IsRfb(ReadOnlySpan<byte> bytes) => TryParse(bytes, out _);

    /// <summary>Reads a greeting from the first 12 bytes of <paramref name="bytes"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out RfbBanner banner)
    {
        banner = default;
        if (bytes.Length < Length || !bytes.StartsWith("RFB "u8) || bytes[7] != (byte)'.' || bytes[11] != (byte)'\n')
            return false;
        if (!TryReadNumber(bytes[4..7], out var major) || !TryReadNumber(bytes[8..11], out var minor))
            return false;
        banner = new RfbBanner(major, minor);
        return true;
    }

    /// <summary>Reads a greeting, or throws <see cref="RfbProtocolException"/> saying what arrived instead.</summary>
    public static RfbBanner Parse(ReadOnlySpan<byte> bytes)
    {
        if (TryParse(bytes, out var banner)) return banner;
        var shown = bytes[..Math.Min(bytes.Length, Length)];
        throw new RfbProtocolException($"not an RFB protocol version: \"{Printable(shown)}\"");
    }

    /// <summary>Writes the 12 wire bytes.</summary>
    public void Write(Span<byte> destination)
    {
        if (Major is < 0 or > 999 || Minor is < 0 or > 999)
            throw new InvalidOperationException($"Version {Major}.{Minor} does not fit in a greeting.");
        Encoding.ASCII.GetBytes($"RFB {Major:D3}.{Minor:D3}\n", destination);
    }

    /// <summary>The 12 wire bytes.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        Write(bytes);
        return bytes;
    }

    public override string ToString() => $"RFB {Major:D3}.{Minor:D3}";

    private static bool TryReadNumber(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (var digit in digits)
        {
            if (digit is < (byte)'0' or > (byte)'9') return false;
            value = value * 10 + (digit - '0');
        }
        return true;
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
            text.Append(b is >= 0x20 and < 0x7F ? (char)b : $"\\x{b:X2}");
        return text.ToString();
    }
}

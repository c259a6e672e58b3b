using System.Collections.Frozen;
using static Sortie.Rfb.RfbConstants;

namespace Sortie.Rfb;

/// <summary>
/// Which encodings each kind of viewer may ask the server for. The <see cref="ClientStreamFilter"/>
/// rewrites SetEncodings with it; for view-only viewers it is what keeps the server from sending
/// anything the <see cref="ServerStreamFilter"/> cannot frame.
/// </summary>
public static class EncodingPolicy
{
    /// <summary>
    /// Rectangle encodings the <see cref="ServerStreamFilter"/> knows the size of: the only ones a
    /// view-only viewer may receive.
    /// </summary>
    public static FrozenSet<int> FramedRectangleEncodings { get; } = FrozenSet.Create(
        Encodings.Raw,
        Encodings.CopyRect,
        Encodings.Zrle,
        Encodings.Tight,
        Encodings.DesktopSize,
        Encodings.LastRect,
        Encodings.Cursor,
        Encodings.VMwareCursor,
        Encodings.DesktopName,
        Encodings.ExtendedDesktopSize);

    /// <summary>
    /// Pseudo-encodings that only announce a capability or tune the server (their answers are
    /// whole messages the filter frames, never rectangles): fences, continuous updates, and the
    /// JPEG quality and compression levels.
    /// </summary>
    public static FrozenSet<int> ViewOnlySettings { get; } = FrozenSet.Create(
        [
            Encodings.Fence,
            Encodings.ContinuousUpdates,
            .. Enumerable.Range(Encodings.JpegQualityLevel0, 10),
            .. Enumerable.Range(Encodings.CompressLevel0, 10),
        ]);

    /// <summary>Whether a viewer with <paramref name="rights"/> may request <paramref name="encoding"/>.</summary>
    public static bool IsAllowed(ViewerRights rights, int encoding) => rights switch
    {
        // Extended mouse buttons make PointerEvent 7 bytes long once the server accepts them; the
        // client filter frames PointerEvent as 6 bytes, so nobody may turn them on.
        ViewerRights.Full or ViewerRights.Control => encoding != Encodings.ExtendedMouseButtons,
        ViewerRights.ViewOnly => FramedRectangleEncodings.Contains(encoding) || ViewOnlySettings.Contains(encoding),
        _ => throw new ArgumentOutOfRangeException(nameof(rights), rights, null),
    };

    /// <summary>
    /// The list to send instead of <paramref name="requested"/>: the allowed entries in the viewer's
    /// order, and for view-only viewers Raw at the end if it was missing (every server can send it).
    /// </summary>
    public static List<int> Filter(ViewerRights rights, IEnumerable<int> requested)
    {
        var kept = requested.Where(encoding => IsAllowed(rights, encoding)).ToList();
        if (rights == ViewerRights.ViewOnly && !kept.Contains(Encodings.Raw)) kept.Add(Encodings.Raw);
        return kept;
    }
}

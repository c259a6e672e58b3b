namespace Sortie.Rfb.Tests.Support;

/// <summary>Known content for a test desktop, drawn by X programs.</summary>
public static class Desktop
{
    public const uint Red = 0xFF0000;
    public const uint Blue = 0x0000FF;

    /// <summary>
    /// A 320x100 Tk window at the top left: blue, with a red square from (10, 10) to (59, 59) and a
    /// band of 320 colours below it (so that Tight has photographic content to send as JPEG).
    /// </summary>
    public const string Picture = """
        wm geometry . 320x100+0+0
        canvas .c -width 320 -height 100 -highlightthickness 0 -background #0000ff
        pack .c
        .c create rectangle 10 10 60 60 -fill #ff0000 -width 0
        for {set x 0} {$x < 320} {incr x} {
            .c create line $x 70 $x 100 -fill [format #%02x%02x%02x [expr {$x * 255 / 319}] [expr {255 - $x * 255 / 319}] [expr {($x * 7) % 256}]]
        }
        """;

    /// <summary>Makes Tk own the desktop's clipboard, as copying text in an application does.</summary>
    public static string CopyToClipboard(string text) => $$"""
        clipboard clear
        clipboard append {{{text}}}
        """;

    /// <summary>Writes each new clipboard value to <paramref name="file"/>, one per line.</summary>
    public static string WatchClipboard(string file) => $$"""
        set last ""
        proc watch {} {
            global last
            if {![catch {clipboard get} text] && $text ne $last} {
                set last $text
                set out [open {{{file}}} a]
                puts $out $text
                close $out
            }
            after 50 watch
        }
        watch
        """;

    /// <summary>
    /// Arguments for an xterm below the Tk window that prints 300 lines, scrolling (which the
    /// server sends as CopyRect), then creates <paramref name="doneFile"/>, prints one more line (so
    /// that a change follows the file) and stays.
    /// </summary>
    public static string[] ScrollingTerminal(string doneFile) =>
    [
        "-geometry", "52x10+0+100", "+j", "-e", "sh", "-c",
        $"for i in $(seq 1 300); do echo \"line $i of a scrolling terminal\"; sleep 0.003; done; touch '{doneFile}'; echo finished; exec sleep 600",
    ];
}

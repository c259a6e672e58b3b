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
    /// A 320x140 Tk window at (0, 100) of patterns, one per 64-pixel column, so that tiles come in
    /// many colour counts: a black and white checkerboard, 4 colours, 12 colours, 4x4 cells of 64
    /// colours, and noise. Once <paramref name="changeFile"/> exists, it redraws them in other colours
    /// (the checkerboard's top left pixel turns from white to yellow), a column every 500 ms so that
    /// each reaches a viewer as a rectangle of its own, then creates <paramref name="redrawnFile"/>.
    /// </summary>
    public static string Patterns(string changeFile, string redrawnFile) => $$"""
        wm geometry . 320x140+0+100
        image create photo patterns -width 320 -height 140
        label .l -image patterns -borderwidth 0 -highlightthickness 0 -padx 0 -pady 0
        pack .l
        proc colour {x y seed} {
            if {$x < 64} { return [lindex {#ffffff #000000 #ffff00 #800080} [expr {2 * $seed + ($x + $y) % 2}]] }
            if {$x < 128} { set i [expr {($x + $y) % 4}]; return [format #%02x%02x%02x [expr {$i * 60 + $seed * 20}] 128 [expr {255 - $i * 60}]] }
            if {$x < 192} { set i [expr {($x * 3 + $y * 5) % 12}]; return [format #%02x%02x%02x [expr {$i * 20}] [expr {(255 - $i * 20 + $seed * 7) % 256}] 64] }
            if {$x < 256} { return [format #%02x%02x%02x [expr {($x - 192) / 4 * 16}] [expr {$y / 4 % 4 * 64 + $seed * 30}] 160] }
            return [format #%06x [expr {(($x * 7919 + $y * 104729 + $seed * 13) * 2654435761) % 16777216}]]
        }
        proc column {c seed} {
            set rows {}
            for {set y 0} {$y < 140} {incr y} {
                set row {}
                for {set x [expr {$c * 64}]} {$x < ($c + 1) * 64} {incr x} { lappend row [colour $x $y $seed] }
                lappend rows $row
            }
            patterns put $rows -to [expr {$c * 64}] 0
        }
        proc redraw {c} {
            column $c 1
            if {$c < 4} { after 500 [list redraw [expr {$c + 1}]] } else { close [open {{{redrawnFile}}} w] }
        }
        proc watch {} {
            if {[file exists {{{changeFile}}}]} { redraw 0 } else { after 50 watch }
        }
        for {set c 0} {$c < 5} {incr c} { column $c 0 }
        watch
        """;

    /// <summary>
    /// Arguments for an xterm at (0, <paramref name="y"/>), below the Tk window, that prints 300 lines,
    /// scrolling (which the server sends as CopyRect), then creates <paramref name="doneFile"/>, prints
    /// one more line (so that a change follows the file) and stays.
    /// </summary>
    public static string[] ScrollingTerminal(string doneFile, int y = 100) =>
    [
        "-geometry", $"52x10+0+{y}", "+j", "-e", "sh", "-c",
        $"for i in $(seq 1 300); do echo \"line $i of a scrolling terminal\"; sleep 0.003; done; touch '{doneFile}'; echo finished; exec sleep 600",
    ];
}

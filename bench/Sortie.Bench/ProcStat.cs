using System.Globalization;

namespace Sortie.Bench;

/// <summary>What /proc says about a process: CPU time used (user + system) and resident memory.</summary>
public static class ProcStat
{
    private const double TicksPerSecond = 100; // USER_HZ, 100 on Linux x86-64 and arm64

    public static TimeSpan Cpu(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state): utime is field 14, stime 15.
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    public static long RssBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:"))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return 0;
    }

    /// <summary>
    /// The first process named <paramref name="name"/> among <paramref name="ancestor"/>'s descendants (a session's Xvnc,
    /// under its sandbox under the server); null if there is none.
    /// </summary>
    public static int? Descendant(int ancestor, string name)
    {
        var parents = new Dictionary<int, (int Parent, string Name)>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(');
                var close = stat.LastIndexOf(')');
                // fields after the name: state, then ppid
                var parent = int.Parse(stat[(close + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                parents[pid] = (parent, stat[(open + 1)..close]);
            }
            catch (IOException) { } // it ended while being read
        }
        foreach (var (pid, (_, comm)) in parents.OrderBy(p => p.Key))
        {
            if (comm != name) continue;
            for (var up = pid; parents.TryGetValue(up, out var p) && up > 1; up = p.Parent)
                if (p.Parent == ancestor) return pid;
        }
        return null;
    }

    /// <summary>Whether something listens on the loopback TCP port (read from /proc/net/tcp, without connecting).</summary>
    public static bool Listening(int port)
    {
        var hex = $":{port:X4} ";
        return File.ReadLines("/proc/net/tcp").Skip(1).Any(l =>
        {
            var f = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return f[1].EndsWith(hex.TrimEnd(), StringComparison.Ordinal) && f[3] == "0A";
        });
    }
}

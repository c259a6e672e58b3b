using System.Diagnostics;

namespace Sortie.Tests.Faults;

/// <summary>The data dir's disk fills up under a running portal (a small tmpfs of the test's own, mounted as root).</summary>
public sealed class DiskFullTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("sortie-disk-").FullName;
    private bool _mounted;

    [Fact]
    public async Task A_full_disk_makes_the_portal_not_ready_and_a_restart_says_why()
    {
        Assert.SkipUnless(Environment.UserName == "root", "Mounting a small disk needs root.");
        Assert.SkipWhen(PostgresServer.Selected, "The disk that fills is SQLite's; on PostgreSQL the database's disk is the operator's.");
        // Root in a container without CAP_SYS_ADMIN cannot mount: say so rather than fail for want of a disk to fill.
        var (mounted, why) = await TryRunAsync("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", _dataDir);
        Assert.SkipUnless(mounted, $"Cannot mount a tmpfs here: {why}");
        _mounted = true;
        await using (var server = await ServerProcess.StartAsync(_dataDir, new Dictionary<string, string> { ["SORTIE_STOP_SESSIONS_ON_EXIT"] = "true" }))
        {
            using var http = new HttpClient { BaseAddress = server.BaseUri };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz", TestContext.Current.CancellationToken)).StatusCode);

            await FillAsync(leaving: 4 << 20);

            var ready = await http.GetAsync("/readyz", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains($"the disk of {_dataDir} is full", await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        var restart = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(_dataDir));
        Assert.Contains($"Sortie cannot start: the disk of {_dataDir} is full", restart.Message);
    }

    /// <summary>Writes a file that leaves about <paramref name="leaving"/> bytes free on the data dir's disk.</summary>
    private async Task FillAsync(long leaving)
    {
        var free = new DriveInfo(_dataDir).AvailableFreeSpace;
        await using var filler = new FileStream(Path.Combine(_dataDir, "filler"), FileMode.Create);
        var chunk = new byte[1 << 20];
        for (var left = free - leaving; left > 0; left -= chunk.Length) await filler.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, left)));
    }

    private static async Task<(bool Ok, string Errors)> TryRunAsync(string command, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardError = true })!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode == 0, errors.Trim());
    }

    public void Dispose()
    {
        if (_mounted) TryRunAsync("umount", "-l", _dataDir).GetAwaiter().GetResult();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}

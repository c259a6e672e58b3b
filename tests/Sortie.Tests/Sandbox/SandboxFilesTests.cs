using System.Net.Sockets;
using Sortie.Runners.Local;

namespace Sortie.Tests.Sandbox;

/// <summary>The hostile-file primitives on their own, with every trap laid at once (the attack tests lay them from a session).</summary>
public sealed class SandboxFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sortie-files-").FullName;
    private readonly string _outside = Directory.CreateTempSubdirectory("sortie-outside-").FullName;
    private static readonly int Me = (int)Native.geteuid();

    [Fact]
    public void DeleteTree_removes_links_never_what_they_point_to()
    {
        File.WriteAllText(Path.Combine(_outside, "keep"), "mine");
        var tree = Directory.CreateDirectory(Path.Combine(_root, "tree", "a", "b")).FullName;
        File.WriteAllText(Path.Combine(tree, "file"), "x");
        File.CreateSymbolicLink(Path.Combine(tree, "to-dir"), _outside);
        File.CreateSymbolicLink(Path.Combine(tree, "to-file"), Path.Combine(_outside, "keep"));
        File.CreateSymbolicLink(Path.Combine(_root, "tree", "dangling"), "/nonexistent/x");

        Assert.True(SandboxFiles.DeleteTree(Path.Combine(_root, "tree")));

        Assert.False(Directory.Exists(Path.Combine(_root, "tree")));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(_outside, "keep")));
        // The folder itself given as a link: the link goes, its target stays.
        File.CreateSymbolicLink(Path.Combine(_root, "link"), _outside);
        Assert.True(SandboxFiles.DeleteTree(Path.Combine(_root, "link")));
        Assert.True(File.Exists(Path.Combine(_outside, "keep")));
        Assert.True(SandboxFiles.DeleteTree(Path.Combine(_root, "missing")));
    }

    [Fact]
    public void ReadSmallText_reads_only_a_small_regular_file_of_its_owner()
    {
        var file = Path.Combine(_root, "exit");
        File.WriteAllText(file, "app exited 0\n");
        Assert.Equal("app exited 0\n", SandboxFiles.ReadSmallText(file, Me));
        Assert.Null(SandboxFiles.ReadSmallText(file, Me + 1));

        var link = Path.Combine(_root, "link");
        File.CreateSymbolicLink(link, file);
        Assert.Null(SandboxFiles.ReadSmallText(link, Me));

        var fifo = Path.Combine(_root, "fifo");
        Assert.Equal(0, System.Diagnostics.Process.Start("mkfifo", fifo)!.WaitForExitAndGetCode());
        Assert.Null(SandboxFiles.ReadSmallText(fifo, Me)); // returns at once: no writer is waited for

        var big = Path.Combine(_root, "big");
        using (var stream = File.Create(big)) stream.SetLength(8L << 30); // sparse
        Assert.Null(SandboxFiles.ReadSmallText(big, Me));
    }

    [Fact]
    public async Task ConnectAsync_refuses_a_link_and_a_listener_that_fails_the_peer_check()
    {
        var path = Path.Combine(_root, "vnc.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        var ct = TestContext.Current.CancellationToken;

        using (var ok = await SandboxFiles.ConnectAsync(path, Me, peer => peer.Pid == Environment.ProcessId, ct))
            Assert.True(ok.Connected);
        await Assert.ThrowsAsync<IOException>(() => SandboxFiles.ConnectAsync(path, Me, _ => false, ct));
        await Assert.ThrowsAsync<IOException>(() => SandboxFiles.ConnectAsync(path, Me + 1, _ => true, ct));
        var link = Path.Combine(_root, "link.sock");
        File.CreateSymbolicLink(link, path);
        await Assert.ThrowsAsync<IOException>(() => SandboxFiles.ConnectAsync(link, Me, _ => true, ct));
    }

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }
}

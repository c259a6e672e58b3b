using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Sortie.Runners.Local;

/// <summary>
/// What the server (root) does to files in a folder a sandbox can write: everything there is hostile input. The user
/// may have put a symlink, a FIFO, a huge sparse file or another process's socket at any name, and may swap one for
/// another at any moment. So nothing here follows a link, reads what is not a small regular file of the sandbox's
/// own, connects to a socket other than the sandbox's own, or deletes by path.
/// </summary>
public static class SandboxFiles
{
    /// <summary>
    /// The text of a small regular file owned by <paramref name="ownerUid"/>; null if it is missing, a link, anything
    /// but a regular file (a FIFO would block the reader for ever), someone else's, or larger than <paramref name="limit"/>.
    /// </summary>
    public static string? ReadSmallText(string path, int ownerUid, int limit = 4096)
    {
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer before the type could be checked.
        using var file = Native.OpenAt(null, path, Native.ORdOnly | Native.ONoFollow | Native.ONonBlock | Native.ONoCtty);
        if (file.IsInvalid) return null;
        var facts = Native.Facts(file);
        if (facts.Type != Native.SIfReg || facts.Uid != (uint)ownerUid || facts.Size > limit) return null;
        var buffer = new byte[limit + 1];
        var read = 0;
        for (int n; read < buffer.Length && (n = RandomAccess.Read(file, buffer.AsSpan(read), read)) > 0;) read += n;
        return read > limit ? null : Encoding.UTF8.GetString(buffer, 0, read);
    }

    /// <summary>
    /// Connects to the Unix socket at <paramref name="path"/> without following a link to it: the name must be a
    /// socket owned by <paramref name="ownerUid"/>, and the process listening on it must pass <paramref name="isExpectedPeer"/>
    /// (say, belong to the session's own sandbox) before a byte is exchanged. Throws <see cref="IOException"/> if either
    /// check fails, <see cref="SocketException"/> if the connection does.
    /// </summary>
    public static async Task<Socket> ConnectAsync(string path, int ownerUid, Func<PeerCredentials, bool> isExpectedPeer, CancellationToken ct)
    {
        using var target = Native.OpenAt(null, path, Native.OPath | Native.ONoFollow);
        if (target.IsInvalid) throw new SocketException((int)SocketError.AddressNotAvailable);
        var facts = Native.Facts(target);
        if (facts.Type != Native.SIfSock || facts.Uid != (uint)ownerUid)
            throw new IOException("The VNC socket is not the sandbox's own (a link, or not a socket of its user).");
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            // The open descriptor's magic link names exactly the inode checked above, whatever the name points to now.
            await socket.ConnectAsync(new UnixDomainSocketEndPoint($"/proc/self/fd/{target.DangerousGetHandle()}"), ct);
            var peer = PeerOf(socket);
            if (peer.Uid != ownerUid || !isExpectedPeer(peer))
                throw new IOException($"The process on the VNC socket (pid {peer.Pid}, uid {peer.Uid}) is not the session's own.");
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Whether the name itself (not what a link points to) is a Unix socket.</summary>
    public static bool IsSocket(string path)
    {
        using var target = Native.OpenAt(null, path, Native.OPath | Native.ONoFollow);
        return !target.IsInvalid && Native.Facts(target).Type == Native.SIfSock;
    }

    public static PeerCredentials PeerOf(Socket socket)
    {
        const int solSocket = 1, soPeerCred = 17;
        Span<byte> ucred = stackalloc byte[12];
        socket.GetRawSocketOption(solSocket, soPeerCred, ucred);
        var fields = MemoryMarshal.Cast<byte, int>(ucred);
        return new PeerCredentials(fields[0], fields[1], fields[2]);
    }

    /// <summary>
    /// Removes a folder and everything in it, never following a link: each directory is opened without following
    /// links and emptied through its descriptor, so swapping a directory for a symlink half-way leads nowhere.
    /// True when it is gone.
    /// </summary>
    public static bool DeleteTree(string path)
    {
        using (var dir = Native.OpenAt(null, path, Native.ORdOnly | Native.ODirectory | Native.ONoFollow))
        {
            if (dir.IsInvalid)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error == Native.ENOENT) return true;
                // Not a directory (or a link to one): the name alone goes.
                return Native.unlinkat(Native.AtFdCwd, path, 0) == 0;
            }
            Empty(dir, depth: 0);
        }
        return Native.unlinkat(Native.AtFdCwd, path, Native.AtRemoveDir) == 0 || Marshal.GetLastPInvokeError() == Native.ENOENT;
    }

    private static void Empty(SafeFileHandle dir, int depth)
    {
        // Deeper than any real home; a tree made to exhaust the stack is left for an operator.
        if (depth > 256) throw new IOException("The folder is nested too deeply to remove.");
        // Listing through the descriptor's magic link reads exactly this directory, whatever its path leads to now.
        foreach (var entry in Directory.EnumerateFileSystemEntries($"/proc/self/fd/{dir.DangerousGetHandle()}").ToList())
        {
            var name = Path.GetFileName(entry);
            using (var child = Native.OpenAt(dir, name, Native.ORdOnly | Native.ODirectory | Native.ONoFollow))
            {
                if (!child.IsInvalid)
                {
                    Empty(child, depth + 1);
                    Native.UnlinkAt(dir, name, Native.AtRemoveDir);
                    continue;
                }
            }
            Native.UnlinkAt(dir, name, 0);
        }
    }
}

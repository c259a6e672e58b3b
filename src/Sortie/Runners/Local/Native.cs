using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Sortie.Runners.Local;

/// <summary>
/// The few libc calls the local runner needs that .NET does not offer: opening without following links, relative to
/// a directory, and asking who owns what was opened. Flag values are Linux's, which differ between architectures.
/// </summary>
internal static class Native
{
    private static readonly bool Arm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    public const int ORdOnly = 0;
    public const int ONonBlock = 0x800;
    public const int ONoCtty = 0x100;
    public const int OCloExec = 0x80000;
    public const int OPath = 0x200000;
    public static readonly int ONoFollow = Arm64 ? 0x8000 : 0x20000;
    public static readonly int ODirectory = Arm64 ? 0x4000 : 0x10000;

    public const int AtFdCwd = -100;
    public const int AtRemoveDir = 0x200;
    public const int AtEmptyPath = 0x1000;
    public const int AtSymlinkNoFollow = 0x100;

    public const int SIGKILL = 9;

    public const int ENOENT = 2;

    // File types (st_mode & S_IFMT).
    public const int SIfMt = 0xF000;
    public const int SIfReg = 0x8000;
    public const int SIfSock = 0xC000;

    /// <summary>What <c>statx</c> tells of an open file: its type, owner and size.</summary>
    public readonly record struct FileFacts(int Type, uint Uid, long Size);

    [DllImport("libc", SetLastError = true)]
    private static extern int openat(int dirfd, string path, int flags, int mode);

    [DllImport("libc", SetLastError = true)]
    public static extern int unlinkat(int dirfd, string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, string path, int flags, uint mask, byte[] buffer);

    [DllImport("libc", SetLastError = true)]
    public static extern int kill(int pid, int signal);

    [DllImport("libc", SetLastError = true)]
    public static extern uint geteuid();

    [DllImport("libc", SetLastError = true)]
    public static extern int chown(string path, int owner, int group);

    /// <summary>openat(2); a handle that closes the descriptor, or an invalid one (see <see cref="Marshal.GetLastPInvokeError"/>).</summary>
    public static SafeFileHandle OpenAt(SafeFileHandle? dir, string path, int flags)
    {
        var added = false;
        try
        {
            dir?.DangerousAddRef(ref added);
            var fd = openat(dir is null ? AtFdCwd : (int)dir.DangerousGetHandle(), path, flags | OCloExec, 0);
            return new SafeFileHandle(fd, ownsHandle: true);
        }
        finally { if (added) dir!.DangerousRelease(); }
    }

    public static int UnlinkAt(SafeFileHandle dir, string name, int flags)
    {
        var added = false;
        try
        {
            dir.DangerousAddRef(ref added);
            return unlinkat((int)dir.DangerousGetHandle(), name, flags);
        }
        finally { if (added) dir.DangerousRelease(); }
    }

    /// <summary>The type, owner and size of what <paramref name="file"/> refers to (itself, never what a link points at).</summary>
    public static FileFacts Facts(SafeFileHandle file)
    {
        const uint typeOwnerSize = 0x1 | 0x2 | 0x8 | 0x200; // STATX_TYPE | STATX_MODE | STATX_UID | STATX_SIZE
        var buffer = new byte[256];
        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            if (statx((int)file.DangerousGetHandle(), "", AtEmptyPath | AtSymlinkNoFollow, typeOwnerSize, buffer) != 0)
                throw new IOException($"statx failed (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally { if (added) file.DangerousRelease(); }
        // struct statx: stx_uid at 20, stx_mode at 28, stx_size at 40 (the same layout on every architecture).
        return new FileFacts(BitConverter.ToUInt16(buffer, 28) & SIfMt, BitConverter.ToUInt32(buffer, 20), BitConverter.ToInt64(buffer, 40));
    }
}

using System.Runtime.InteropServices;

namespace Sortie.Runners.Local;

/// <summary>
/// The seccomp filter every sandboxed program runs under (bubblewrap's <c>--seccomp</c>: a classic BPF program). It
/// refuses, with EPERM, the system calls a desktop has no use for and an attacker has: new namespaces (a nested user
/// namespace gives a process "root" powers over new mounts and the kernel's less travelled paths), the kernel keyring,
/// ptrace and reading other processes' memory, mounting, BPF, perf, userfaultfd, kernel modules, kexec, and the like.
/// clone3 answers ENOSYS, so that the C library falls back to clone, whose flags the filter can see.
/// A call from another architecture's ABI (x32 on x86-64, say) kills the process.
/// </summary>
public static class SeccompFilter
{
    private const uint AuditArchX8664 = 0xC000003E;
    private const uint AuditArchAarch64 = 0xC00000B7;
    private const uint X32SyscallBit = 0x40000000;
    // clone(2) flags that make new namespaces: CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET.
    private const uint NewNamespaceFlags = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

    private const uint RetAllow = 0x7fff0000;
    private const uint RetKillProcess = 0x80000000;
    private const uint RetErrno = 0x00050000;
    private const uint EPERM = 1, ENOSYS = 38;

    /// <summary>System call numbers: (name, x86-64, aarch64).</summary>
    private static readonly (string Name, uint X64, uint Arm64)[] Refused =
    [
        ("unshare", 272, 97), ("setns", 308, 268),
        ("mount", 165, 40), ("umount2", 166, 39), ("pivot_root", 155, 41),
        ("open_tree", 428, 428), ("move_mount", 429, 429), ("fsopen", 430, 430), ("fsconfig", 431, 431), ("fsmount", 432, 432), ("fspick", 433, 433),
        ("keyctl", 250, 219), ("add_key", 248, 217), ("request_key", 249, 218),
        ("ptrace", 101, 117), ("process_vm_readv", 310, 270), ("process_vm_writev", 311, 271), ("kcmp", 312, 272),
        ("bpf", 321, 280), ("perf_event_open", 298, 241), ("userfaultfd", 323, 282), ("fanotify_init", 300, 262),
        ("open_by_handle_at", 304, 265), ("name_to_handle_at", 303, 264),
        ("kexec_load", 246, 104), ("kexec_file_load", 320, 294), ("init_module", 175, 105), ("finit_module", 313, 273), ("delete_module", 176, 106),
        ("acct", 163, 89), ("swapon", 167, 224), ("swapoff", 168, 225), ("reboot", 169, 142), ("syslog", 103, 116),
        ("quotactl", 179, 60), ("lookup_dcookie", 212, 18),
    ];

    private static readonly (uint X64, uint Arm64) Clone = (56, 220), Clone3 = (435, 435);

    /// <summary>The filter for this machine's architecture, as bubblewrap reads it: an array of struct sock_filter.</summary>
    public static byte[] ForThisMachine() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => Build(AuditArchX8664, x64: true),
        Architecture.Arm64 => Build(AuditArchAarch64, x64: false),
        var other => throw new PlatformNotSupportedException($"No seccomp filter for {other}."),
    };

    private readonly record struct Instruction(ushort Code, string? True, string? False, uint K, string? Label = null);

    private static byte[] Build(uint arch, bool x64)
    {
        const ushort load = 0x20, jumpEqual = 0x15, jumpAtLeast = 0x35, jumpAnyBit = 0x45, ret = 0x06;
        const uint offsetNr = 0, offsetArch = 4, offsetArg0Low = 16; // struct seccomp_data, little-endian
        var program = new List<Instruction>
        {
            new(load, null, null, offsetArch),
            new(jumpEqual, null, "kill", arch),
            new(load, null, null, offsetNr),
        };
        if (x64) program.Add(new(jumpAtLeast, "kill", null, X32SyscallBit));
        foreach (var call in Refused) program.Add(new(jumpEqual, "deny", null, x64 ? call.X64 : call.Arm64));
        program.Add(new(jumpEqual, "clone", null, x64 ? Clone.X64 : Clone.Arm64));
        program.Add(new(jumpEqual, "enosys", null, x64 ? Clone3.X64 : Clone3.Arm64));
        program.Add(new(ret, null, null, RetAllow));
        program.Add(new(load, null, null, offsetArg0Low, "clone"));
        program.Add(new(jumpAnyBit, "deny", null, NewNamespaceFlags));
        program.Add(new(ret, null, null, RetAllow));
        program.Add(new(ret, null, null, RetErrno | EPERM, "deny"));
        program.Add(new(ret, null, null, RetErrno | ENOSYS, "enosys"));
        program.Add(new(ret, null, null, RetKillProcess, "kill"));

        var labels = program.Select((i, index) => (i.Label, index)).Where(l => l.Label is not null).ToDictionary(l => l.Label!, l => l.index);
        var bytes = new byte[program.Count * 8];
        for (var i = 0; i < program.Count; i++)
        {
            byte Jump(string? label) => label is null ? (byte)0 : checked((byte)(labels[label] - i - 1));
            var at = bytes.AsSpan(i * 8);
            BitConverter.TryWriteBytes(at, program[i].Code);
            at[2] = Jump(program[i].True);
            at[3] = Jump(program[i].False);
            BitConverter.TryWriteBytes(at[4..], program[i].K);
        }
        return bytes;
    }
}

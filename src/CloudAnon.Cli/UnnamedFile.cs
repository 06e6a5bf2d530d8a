using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CloudAnon.Cli;

/// <summary>Linux's unnamed files (open with O_TMPFILE, then linkat): a file that has no name until it is complete.</summary>
internal static partial class UnnamedFile
{
    private const int WriteOnly = 0x1, CloseOnExec = 0x80000, FollowSymlink = 0x400, CurrentDirectory = -100, AlreadyExists = 17;
    private const int ReadWriteForAll = 0x1B6; // 0666, less the umask, as FileStream creates files

    // O_TMPFILE includes O_DIRECTORY, whose value differs between architectures.
    private static readonly int TemporaryFileFlag = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x410000,
        Architecture.Arm64 or Architecture.Arm => 0x404000,
        _ => 0,
    };

    // linkat reaches an unnamed file through its /proc link (AT_EMPTY_PATH would need a capability).
    private static readonly bool Supported = OperatingSystem.IsLinux() && TemporaryFileFlag != 0 && Directory.Exists("/proc/self/fd");

    /// <summary>An unnamed file in <paramref name="directory"/> open for writing, or null where the platform or file system has none.</summary>
    public static SafeFileHandle? TryCreate(string directory)
    {
        if (!Supported) return null;
        int descriptor = Open(directory, TemporaryFileFlag | WriteOnly | CloseOnExec, ReadWriteForAll);
        // EOPNOTSUPP, EISDIR, EINVAL: no unnamed files here; anything else (permissions, space) shows again on the named path.
        return descriptor < 0 ? null : new SafeFileHandle(descriptor, ownsHandle: true);
    }

    /// <summary>Gives the file its name; false when that name is taken.</summary>
    /// <exception cref="IOException">The link failed for another reason.</exception>
    public static bool TryLink(SafeFileHandle file, string path)
    {
        if (LinkAt(CurrentDirectory, ProcPath(file), CurrentDirectory, path, FollowSymlink) == 0) return true;
        int error = Marshal.GetLastPInvokeError();
        if (error == AlreadyExists) return false;
        throw new IOException($"{path}: cannot link the written file into place: {Marshal.GetPInvokeErrorMessage(error)}");
    }

    /// <exception cref="IOException">The name is taken or the link failed.</exception>
    public static void Link(SafeFileHandle file, string path)
    {
        if (!TryLink(file, path)) throw new IOException($"{path}: already exists");
    }

    private static string ProcPath(SafeFileHandle file) => $"/proc/self/fd/{file.DangerousGetHandle()}";

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkAt(int oldDirectory, string oldPath, int newDirectory, string newPath, int flags);
}

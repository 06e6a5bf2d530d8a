namespace CloudAnon.Dicom.Tests.Text;

/// <summary>
/// Test-only stand-in for the codec's reader: finds the first top-level short-form element with the given tag and VR
/// in an Explicit VR Little Endian file by scanning for its 6 header bytes. Good enough for the small charset
/// corpus files, whose Patient's Name is not preceded by a nested one.
/// </summary>
internal static class CorpusElementScanner
{
    public static string CharsetDirectory { get; } = Path.Combine(FindRepositoryRoot(), "..", "shared", "corpus", "charset");

    public static byte[] ReadValue(byte[] file, ushort group, ushort element, string vr)
    {
        byte[] header = [(byte)group, (byte)(group >> 8), (byte)element, (byte)(element >> 8), (byte)vr[0], (byte)vr[1]];
        int at = file.AsSpan().IndexOf(header);
        if (at < 0) throw new InvalidOperationException($"({group:X4},{element:X4}) {vr} not found.");
        int length = file[at + 6] | (file[at + 7] << 8);
        return file.AsSpan(at + 8, length).TrimEnd((byte)' ').TrimEnd((byte)0).ToArray(); // drop even-length padding
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CloudAnon.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("CloudAnon.sln not found above the test binaries.");
    }
}

using CloudAnon.Cli;

namespace CloudAnon.Cli.Tests;

/// <summary>Outputs appear whole or not at all, by either route: Linux's unnamed files or a temporary name and a rename.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cloudanon-atomic-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<bool> Routes() => [true, false];

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_new_file_appears_whole_with_the_usual_permissions_in_a_created_directory(bool unnamedFiles)
    {
        string target = Path.Combine(_directory, "new", "deeper", "out.dcm");
        byte[] content = Content(300_000);

        await new AtomicFile(unnamedFiles).WriteAsync(target, stream => stream.WriteAsync(content).AsTask(), CancellationToken.None);

        Assert.Equal(content, await File.ReadAllBytesAsync(target));
        Assert.Equal(["out.dcm"], Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(target)!).Select(Path.GetFileName));
        if (!OperatingSystem.IsWindows())
        {
            string usual = Path.Combine(_directory, "usual");
            await File.WriteAllBytesAsync(usual, content);
            Assert.Equal(File.GetUnixFileMode(usual), File.GetUnixFileMode(target));
        }
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task An_existing_file_is_replaced_whole(bool unnamedFiles)
    {
        string target = Path.Combine(_directory, "out.dcm");
        await File.WriteAllBytesAsync(target, Content(10));
        byte[] content = Content(70_000);

        await new AtomicFile(unnamedFiles).WriteAsync(target, stream => stream.WriteAsync(content).AsTask(), CancellationToken.None);

        Assert.Equal(content, await File.ReadAllBytesAsync(target));
        Assert.Single(Directory.EnumerateFileSystemEntries(_directory));
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_write_that_fails_midway_leaves_the_old_file_and_nothing_else(bool unnamedFiles)
    {
        string existing = Path.Combine(_directory, "out.dcm");
        byte[] old = Content(1000);
        await File.WriteAllBytesAsync(existing, old);
        var outputs = new AtomicFile(unnamedFiles);

        foreach (string target in new[] { existing, Path.Combine(_directory, "other.dcm") })
        {
            await Assert.ThrowsAsync<IOException>(() => outputs.WriteAsync(target, async stream =>
            {
                await stream.WriteAsync(Content(200_000));
                throw new IOException("the source went away");
            }, CancellationToken.None));
        }

        Assert.Equal(old, await File.ReadAllBytesAsync(existing));
        Assert.Single(Directory.EnumerateFileSystemEntries(_directory));
    }

    private static byte[] Content(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }
}

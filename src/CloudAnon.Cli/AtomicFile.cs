using System.Collections.Concurrent;

namespace CloudAnon.Cli;

/// <summary>
/// Writes each output whole or not at all. On Linux the file is written unnamed and linked into place once complete, so
/// a run killed at any moment leaves nothing behind and the inode is allocated outside the directory's lock (parallel
/// workers writing into one directory otherwise queue on it). Elsewhere, or on a file system without unnamed files, it
/// is written under a temporary name beside the target and renamed.
/// </summary>
internal sealed class AtomicFile(bool unnamedFiles = true)
{
    private const int BufferSize = 64 * 1024;

    // One run writes many files into few directories: create each once rather than once per file.
    private readonly ConcurrentDictionary<string, bool> _knownDirectories = new(StringComparer.Ordinal);

    public async Task WriteAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        string target = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(target)!;
        if (!_knownDirectories.ContainsKey(directory))
        {
            Directory.CreateDirectory(directory);
            _knownDirectories.TryAdd(directory, true);
        }

        if (unnamedFiles && UnnamedFile.TryCreate(directory) is { } handle)
        {
            await using var unnamed = new InlineFileStream(handle, FileAccess.Write, BufferSize);
            await write(unnamed);
            await unnamed.FlushAsync(cancellationToken);
            if (UnnamedFile.TryLink(handle, target)) return;
            // The target exists (a rerun into the same output): link under a temporary name and rename over it.
            await ReplaceAsync(target, temporary =>
            {
                UnnamedFile.Link(handle, temporary);
                return Task.CompletedTask;
            });
            return;
        }
        await ReplaceAsync(target, async temporary =>
        {
            await using var stream = new InlineFileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize);
            await write(stream);
            await stream.FlushAsync(cancellationToken);
        });
    }

    /// <summary>Has <paramref name="create"/> make a temporary file beside <paramref name="target"/>, then renames it over the target.</summary>
    private static async Task ReplaceAsync(string target, Func<string, Task> create)
    {
        string temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.partial");
        try
        {
            await create(temporary);
            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}

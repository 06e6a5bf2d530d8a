namespace CloudAnon.Cli;

/// <summary>One input file, the name to report it by (the path as the user gave it) and where its output goes.</summary>
internal sealed record WorkItem(string InputPath, string DisplayName, string OutputPath, long Length);

/// <summary>Which files a run reads and writes: one file, or a directory mirrored into an output directory.</summary>
internal sealed record RunPlan(IReadOnlyList<WorkItem> Items, string OutputRoot, bool IsDirectoryRun)
{
    /// <summary>
    /// A de-identifying directory run without --rename-by-uid: its outputs mirror the input names (as gdcmanon's do), and
    /// real exports often name files after the patient.
    /// </summary>
    public bool KeepsInputNames(AnonArguments arguments) =>
        IsDirectoryRun && !arguments.RenameByUid && (arguments.Mode ?? AnonMode.Deidentify) == AnonMode.Deidentify;

    public long TotalBytes => Items.Sum(i => i.Length);

    /// <exception cref="CliUsageException">No input or output, a missing input, or an output that is (or is inside) the input.</exception>
    public static RunPlan Create(AnonArguments arguments)
    {
        string input = arguments.Input ?? throw new CliUsageException("no input: give IN OUT, or -i IN -o OUT (see cloudanon --help)");
        string output = arguments.Output ?? throw new CliUsageException("no output: give IN OUT, or -i IN -o OUT");
        string fullInput = Path.TrimEndingDirectorySeparator(Path.GetFullPath(input));
        string fullOutput = Path.TrimEndingDirectorySeparator(Path.GetFullPath(output));
        if (string.Equals(fullInput, fullOutput, StringComparison.Ordinal))
        {
            throw new CliUsageException($"{input}: the output must not be the input (nothing is ever overwritten in place)");
        }

        if (File.Exists(input))
        {
            // --rename-by-uid names the file itself; an existing directory receives the input's name.
            if (arguments.RenameByUid || Directory.Exists(output))
            {
                fullOutput = Path.Combine(fullOutput, Path.GetFileName(fullInput));
            }
            var single = new WorkItem(fullInput, input, fullOutput, new FileInfo(fullInput).Length);
            return new RunPlan([single], Path.GetDirectoryName(fullOutput)!, IsDirectoryRun: false);
        }
        if (!Directory.Exists(input)) throw new CliUsageException($"{input}: no such file or directory");
        if (File.Exists(output)) throw new CliUsageException($"{output}: is a file; a directory input needs an output directory");
        if (arguments.Recursive && fullOutput.StartsWith(fullInput + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new CliUsageException($"{output}: the output directory must not be inside the input directory with -r");
        }

        var search = arguments.Recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly;
        var items = new DirectoryInfo(fullInput).EnumerateFiles("*", search)
            .OrderBy(f => f.FullName, StringComparer.Ordinal)
            .Select(f =>
            {
                string relative = Path.GetRelativePath(fullInput, f.FullName);
                return new WorkItem(f.FullName, Path.Join(input, relative), Path.Combine(fullOutput, relative), f.Length);
            })
            .ToList();
        return new RunPlan(items, fullOutput, IsDirectoryRun: true);
    }
}

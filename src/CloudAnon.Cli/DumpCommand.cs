using CloudAnon.Dicom;

namespace CloudAnon.Cli;

/// <summary>`cloudanon dump FILE`: the data set as text, one element per line (tags, VRs, lengths and values).</summary>
internal static class DumpCommand
{
    public const string Usage = """
        Usage: cloudanon dump FILE
        Prints FILE's data set, one element per line (tag, VR, length, value), nested sequences indented.
        The output shows values as they are in the file: identifying ones too.
          -h --help    This help.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var arguments = VerbArguments.Parse("dump", args, new HashSet<string>(), new HashSet<string>());
        if (arguments.Help)
        {
            Console.Out.Write(Usage);
            return ExitCodes.Success;
        }

        if (arguments.Operands is not [var path]) throw arguments.Error("give one FILE");
        await using var source = InlineFileStream.OpenRead(path);
        using var file = await DicomFile.OpenAsync(source, cancellationToken: cancellationToken);
        DicomDump.Write(file, Console.Out);
        return ExitCodes.Success;
    }
}

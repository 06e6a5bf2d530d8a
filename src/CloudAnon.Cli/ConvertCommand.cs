using CloudAnon.Dicom;

namespace CloudAnon.Cli;

/// <summary>`cloudanon convert IN OUT [--transfer-syntax implicit|explicit|big|deflated]`: rewrite a file, by default in its own syntax.</summary>
internal static class ConvertCommand
{
    public const string Usage = """
        Usage: cloudanon convert IN OUT [--transfer-syntax implicit|explicit|big|deflated]
        Rewrites the DICOM file IN as OUT (atomically), in its own transfer syntax or the one named; compressed pixel
        data is passed through and cannot change syntax.
          -t --transfer-syntax NAME   implicit, explicit, big (big-endian) or deflated.
          -h --help                   This help.
        """;

    public static readonly IReadOnlyDictionary<string, TransferSyntax> Syntaxes = new Dictionary<string, TransferSyntax>(StringComparer.OrdinalIgnoreCase)
    {
        ["implicit"] = TransferSyntax.ImplicitVRLittleEndian,
        ["explicit"] = TransferSyntax.ExplicitVRLittleEndian,
        ["big"] = TransferSyntax.ExplicitVRBigEndian,
        ["deflated"] = TransferSyntax.DeflatedExplicitVRLittleEndian,
    };

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var arguments = VerbArguments.Parse("convert", args, new HashSet<string> { "--transfer-syntax" }, new HashSet<string>(),
            new Dictionary<string, string> { ["-t"] = "--transfer-syntax" });
        if (arguments.Help)
        {
            Console.Out.Write(Usage);
            return ExitCodes.Success;
        }

        if (arguments.Operands is not [var input, var output]) throw arguments.Error("give IN and OUT");
        TransferSyntax? target = arguments.Value("--transfer-syntax") is not { } name ? null
            : Syntaxes.TryGetValue(name, out var syntax) ? syntax
            : throw arguments.Error($"--transfer-syntax must be one of {string.Join(", ", Syntaxes.Keys)}");
        await using var source = InlineFileStream.OpenRead(input);
        using var file = await DicomFile.OpenAsync(source, cancellationToken: cancellationToken);
        if (target is not null && target.Uid != file.TransferSyntax.Uid && file.TransferSyntax.IsEncapsulated)
        {
            throw new CliUsageException($"{input}: its pixel data is compressed ({file.TransferSyntax.Name}); convert changes only uncompressed transfer syntaxes.", "convert");
        }
        await new AtomicFile().WriteAsync(output, stream => file.SaveAsync(stream, target, cancellationToken), cancellationToken);
        return ExitCodes.Success;
    }
}

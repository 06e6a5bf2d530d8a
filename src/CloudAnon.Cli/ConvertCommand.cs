using CloudAnon.Dicom;

namespace CloudAnon.Cli;

/// <summary>`cloudanon convert IN OUT [--transfer-syntax implicit|explicit|big|deflated]`: rewrite a file, by default in its own syntax.</summary>
internal static class ConvertCommand
{
    public static readonly IReadOnlyDictionary<string, TransferSyntax> Syntaxes = new Dictionary<string, TransferSyntax>(StringComparer.OrdinalIgnoreCase)
    {
        ["implicit"] = TransferSyntax.ImplicitVRLittleEndian,
        ["explicit"] = TransferSyntax.ExplicitVRLittleEndian,
        ["big"] = TransferSyntax.ExplicitVRBigEndian,
        ["deflated"] = TransferSyntax.DeflatedExplicitVRLittleEndian,
    };

    public static async Task<int> RunAsync(string input, string output, TransferSyntax? target, CancellationToken cancellationToken)
    {
        await using var source = InlineFileStream.OpenRead(input);
        using var file = await DicomFile.OpenAsync(source, cancellationToken: cancellationToken);
        if (target is not null && target.Uid != file.TransferSyntax.Uid && file.TransferSyntax.IsEncapsulated)
        {
            throw new CliUsageException($"{input}: its pixel data is compressed ({file.TransferSyntax.Name}); convert changes only uncompressed transfer syntaxes.");
        }
        await new AtomicFile().WriteAsync(output, stream => file.SaveAsync(stream, target, cancellationToken), cancellationToken);
        return ExitCodes.Success;
    }
}

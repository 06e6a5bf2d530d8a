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
        await using var source = OpenInput(input);
        using var file = await DicomFile.OpenAsync(source, cancellationToken: cancellationToken);
        if (target is not null && target.Uid != file.TransferSyntax.Uid && file.TransferSyntax.IsEncapsulated)
        {
            throw new CliUsageException($"{input}: its pixel data is compressed ({file.TransferSyntax.Name}); convert changes only uncompressed transfer syntaxes.");
        }
        await AtomicFile.WriteAsync(output, stream => file.SaveAsync(stream, target, cancellationToken), cancellationToken);
        return ExitCodes.Success;
    }

    /// <summary>
    /// Sequential reads; the codec buffers tokens itself. Synchronous file handles: on Linux an "asynchronous" file
    /// only moves each read to the thread pool, which costs more than a read from the page cache.
    /// </summary>
    public static FileStream OpenInput(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
}

using CloudAnon.Cli;
using CloudAnon.Cli.Process;
using CloudAnon.Dicom;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancellation.Cancel(); };

try
{
    return args switch
    {
        ["dump", var path] => await DumpAsync(path, cancellation.Token),
        ["convert", var input, var output] => await ConvertCommand.RunAsync(input, output, null, cancellation.Token),
        ["convert", var input, var output, "--transfer-syntax" or "-t", var name] =>
            await ConvertCommand.RunAsync(input, output, ConvertCommand.Syntaxes.TryGetValue(name, out var ts) ? ts
                : throw new CliUsageException($"unknown transfer syntax '{name}': use implicit, explicit, big or deflated"), cancellation.Token),
        ["process", .. var rest] => await ProcessCommand.RunAsync(rest, cancellation.Token),
        ["dump" or "convert", ..] => throw new CliUsageException("usage: cloudanon dump FILE | cloudanon convert IN OUT [--transfer-syntax implicit|explicit|big|deflated]"),
        _ => await AnonCommand.RunAsync(args, new CliConsole(Console.Out, Console.Error, !Console.IsErrorRedirected), cancellation.Token),
    };
}
catch (CliUsageException e)
{
    Console.Error.WriteLine($"cloudanon: {e.Message}");
    return ExitCodes.UsageError;
}
catch (DicomFormatException e)
{
    Console.Error.WriteLine($"cloudanon: {string.Join(' ', args.Skip(1).Take(1))}: not readable DICOM: {e.Message}");
    return ExitCodes.SomeFilesFailed;
}
catch (IOException e)
{
    Console.Error.WriteLine($"cloudanon: {e.Message}");
    return ExitCodes.SomeFilesFailed;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.Error.WriteLine("cloudanon: interrupted; finished outputs are complete, no partial file was left");
    return ExitCodes.SomeFilesFailed;
}

static async Task<int> DumpAsync(string path, CancellationToken cancellationToken)
{
    await using var source = InlineFileStream.OpenRead(path);
    using var file = await DicomFile.OpenAsync(source, cancellationToken: cancellationToken);
    DicomDump.Write(file, Console.Out);
    return ExitCodes.Success;
}

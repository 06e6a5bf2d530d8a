using CloudAnon.Cli;
using CloudAnon.Cli.Cloud;
using CloudAnon.Cli.Report;
using CloudAnon.Dicom;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancellation.Cancel(); };

try
{
    return args switch
    {
        ["dump", .. var rest] => await DumpCommand.RunAsync(rest, cancellation.Token),
        ["convert", .. var rest] => await ConvertCommand.RunAsync(rest, cancellation.Token),
        ["process", .. var rest] => await ProcessCommand.RunAsync(rest, cancellation.Token),
        ["backfill", .. var rest] => await BackfillCommand.RunAsync(rest, cancellation.Token),
        ["gateway", .. var rest] => await GatewayCommand.RunAsync(rest, cancellation.Token),
        ["report", .. var rest] => await ReportCommand.RunAsync(rest, cancellation.Token),
        _ => await AnonCommand.RunAsync(args, new CliConsole(Console.Out, Console.Error, !Console.IsErrorRedirected), cancellation.Token),
    };
}
catch (CliUsageException e)
{
    Console.Error.WriteLine($"cloudanon{(e.Verb is null ? "" : " " + e.Verb)}: {e.Message}");
    return ExitCodes.UsageError;
}
catch (CloudSetupException e)
{
    Console.Error.WriteLine($"cloudanon: {e.Message}");
    return ExitCodes.SomeFilesFailed;
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

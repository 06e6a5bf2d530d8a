using CloudAnon.Core;
using CloudAnon.Core.Audit;
using CloudAnon.Core.DumbMode;
using CloudAnon.Core.Reversible;
using CloudAnon.Dicom;

namespace CloudAnon.Cli;

/// <summary>Where the anonymizer writes: stdout for help and version, stderr for everything else.</summary>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, bool ErrorIsTerminal);

/// <summary>
/// The gdcmanon-compatible anonymizer: parses the command line, plans the files, runs the mode's transform over them in
/// parallel with atomic writes, and maps the outcome to an exit code.
/// </summary>
internal static class AnonCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken)
    {
        try
        {
            return await RunCheckedAsync(args, console, cancellationToken);
        }
        catch (CliUsageException e)
        {
            console.Error.WriteLine($"cloudanon: {e.Message}");
            return ExitCodes.UsageError;
        }
    }

    private static async Task<int> RunCheckedAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken)
    {
        var arguments = AnonArguments.Parse(args);
        if (arguments.Help)
        {
            console.Out.Write(HelpText.Usage);
            return ExitCodes.Success;
        }
        if (arguments.Version)
        {
            console.Out.WriteLine(HelpText.Version);
            return ExitCodes.Success;
        }
        var plan = RunPlan.Create(arguments);
        if (plan.KeepsInputNames(arguments))
        {
            console.Error.WriteLine(KeptNamesNotice);
        }
        FileTransform transform;
        try
        {
            transform = await FileTransforms.CreateAsync(arguments, cancellationToken);
        }
        catch (CertificateUnavailableException e)
        {
            console.Error.WriteLine($"cloudanon: {e.Message}");
            return ExitCodes.SomeFilesFailed;
        }
        return await ExecuteAsync(plan, transform, arguments, console, cancellationToken);
    }

    /// <summary>Said once per directory run: exports often name files after the patient, and gdcmanon keeps names too.</summary>
    internal const string KeptNamesNotice =
        "cloudanon: the outputs keep the input file names, which often carry a patient's name or ID; " +
        "--rename-by-uid names each output OUT/{StudyUID}/{SeriesUID}/{SOPUID}.dcm from its new UIDs instead";

        private static async Task<int> ExecuteAsync(RunPlan plan, FileTransform transform, AnonArguments arguments, CliConsole console, CancellationToken cancellationToken)
    {
        using var reporter = new RunReporter(console.Error, console.ErrorIsTerminal, plan.Items.Count, plan.TotalBytes);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var outputs = new AtomicFile();
        var audit = arguments.AuditDirectory is { } directory ? new AuditFolder(directory, outputs, FileTransforms.DeidentificationOptionsOf(arguments)) : null;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = arguments.Jobs, CancellationToken = stop.Token };
        try
        {
            await Parallel.ForEachAsync(plan.Items, parallel, async (item, token) =>
            {
                if (!await ProcessAsync(item, plan.OutputRoot, outputs, audit, transform, arguments, reporter, token) && !arguments.Continue)
                {
                    await stop.CancelAsync();
                }
            });
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // A failure without --continue stopped the run; it has been reported.
        }

        if (plan.IsDirectoryRun || arguments.Verbosity != Verbosity.Errors || reporter.Failed + reporter.Skipped > 0)
        {
            reporter.WriteSummary();
        }
        cancellationToken.ThrowIfCancellationRequested();
        return reporter.Done == plan.Items.Count ? ExitCodes.Success : ExitCodes.SomeFilesFailed;
    }

    /// <summary>
    /// Reads, transforms and atomically writes one file, and under --audit its record; false when it failed or was
    /// skipped (reported already, and recorded as refused).
    /// </summary>
    private static async Task<bool> ProcessAsync(WorkItem item, string outputRoot, AtomicFile outputs, AuditFolder? audit, FileTransform transform, AnonArguments arguments, RunReporter reporter, CancellationToken cancellationToken)
    {
        try
        {
            await using var source = InlineFileStream.OpenRead(item.InputPath);
            DicomFile file;
            try
            {
                file = await DicomFile.OpenAsync(source, cancellationToken: cancellationToken);
            }
            catch (DicomFormatException e)
            {
                if (arguments.Continue) reporter.FileSkipped(item.Length);
                else reporter.FileFailed(item.Length);
                reporter.WriteLine(arguments.Continue
                    ? $"cloudanon: {item.DisplayName}: skipped, not readable DICOM: {e.Message}"
                    : $"cloudanon: {item.DisplayName}: not readable DICOM: {e.Message} (--continue skips such files)");
                await RecordRefusalAsync(audit, e, item, reporter, cancellationToken);
                return false;
            }
            using (file)
            {
                var outcome = await transform(file, cancellationToken);
                string output = outcome.RenamedPath is { } renamed ? Path.Combine(outputRoot, renamed) : item.OutputPath;
                await outputs.WriteAsync(output, stream => file.SaveAsync(stream, cancellationToken: cancellationToken), cancellationToken);
                await RecordAsync(audit, outcome.Audit, output, cancellationToken);
                if (outcome.Warning is { } warning && arguments.Verbosity >= Verbosity.Warnings) reporter.WriteLine($"cloudanon: warning: {item.DisplayName}: {warning}");
            }
            reporter.FileDone(item.Length);
            if (arguments.Verbosity == Verbosity.Debug) reporter.WriteLine($"cloudanon: {item.DisplayName}: done");
            return true;
        }
        catch (Exception e) when (Describe(e) is { } reason)
        {
            reporter.FileFailed(item.Length);
            reporter.WriteLine($"cloudanon: {item.DisplayName}: {reason}");
            await RecordRefusalAsync(audit, e, item, reporter, cancellationToken);
            return false;
        }
    }

    /// <summary>An output exists only with its record: when the record cannot be written, the output goes too.</summary>
    private static async Task RecordAsync(AuditFolder? audit, AuditRecord? record, string output, CancellationToken cancellationToken)
    {
        if (audit is null || record is null) return;
        try
        {
            await audit.WriteAsync(record, quarantineName: null, cancellationToken);
        }
        catch
        {
            File.Delete(output);
            throw;
        }
    }

    private static async Task RecordRefusalAsync(AuditFolder? audit, Exception failure, WorkItem item, RunReporter reporter, CancellationToken cancellationToken)
    {
        if (audit is null) return;
        try
        {
            await audit.WriteRefusalAsync(failure, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reporter.WriteLine($"cloudanon: {item.DisplayName}: its audit record was not written: {Describe(e)}");
        }
    }

    /// <summary>The reason to print for a per-file failure; null for exceptions that must end the run (cancellation, bugs).</summary>
    private static string? Describe(Exception e) => e switch
    {
        DeidentificationException { Failure: DeidentificationFailure.AlreadyDeidentified } d =>
            $"refused, already de-identified: {d.Message} (--allow-deidentified processes it anyway)",
        DeidentificationException d => $"not de-identified ({d.Failure}): {d.Message}",
        ReidentificationException r => $"not re-identified ({r.Reason}): {r.Message}",
        DumbEditException d => $"dumb mode edit failed: {d.Message}",
        DicomFormatException f => $"malformed DICOM: {f.Message}",
        CertificateUnavailableException c => c.Message,
        UnauthorizedAccessException => "permission denied",
        IOException io => $"I/O error: {io.Message}",
        _ => null,
    };
}

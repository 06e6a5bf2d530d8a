using System.Text;
using CloudAnon.Azure.Audit;
using CloudAnon.Cli.Cloud;
using CloudAnon.Core.Audit.Report;

namespace CloudAnon.Cli.Report;

/// <summary>
/// <c>cloudanon report</c>: the audit records of a run's folder, or of one study in the audit table, as the page a privacy
/// officer signs off (or its JSON), with previews read from the de-identified outputs. See docs/report.md.
/// </summary>
internal static class ReportCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var arguments = await ReportArguments.ParseAsync(args, cancellationToken);
        if (arguments.Help)
        {
            Console.Out.Write(ReportArguments.Usage);
            return ExitCodes.Success;
        }

        if (arguments.AuditDirectory is { } directory)
        {
            var records = await AuditRecordFolder.ReadAsync(directory, cancellationToken);
            return await WriteAsync(await ReportPreviews.AddAsync(AuditReportBuilder.Build(records), new EgressFolder(arguments.Egress), cancellationToken), arguments, cancellationToken);
        }

        var storage = arguments.Storage!;
        var faults = new CloudFaults(storage);
        try
        {
            var audit = new AuditTable(storage.Tables.GetTableClient(arguments.Table), storage.Blobs.GetBlobContainerClient(arguments.AuditContainer), arguments.MappingKey);
            var records = arguments.Study is { } study ? await audit.ReadStudyWithKeysAsync(study, cancellationToken) : [];
            if (arguments.Study is not null && records.Count == 0)
            {
                await Console.Error.WriteLineAsync($"cloudanon report: the audit table has no record of study {arguments.Study} (check the study UID and the mapping key); nothing was written");
                return ExitCodes.SomeFilesFailed;
            }
            var withoutStudy = arguments.WithoutStudy ? await audit.ReadWithoutStudyWithKeysAsync(cancellationToken) : [];
            // The study's partition holds its refusals too; the partition ~no-study, the refusals whose study is unknown.
            var report = AuditReportBuilder.Build(records, arguments.Study) with { QuarantinedWithoutStudy = AuditReportBuilder.Quarantined(withoutStudy) };
            var egress = new EgressContainer(storage.Blobs.GetBlobContainerClient(arguments.Egress));
            return await WriteAsync(await ReportPreviews.AddAsync(report, egress, cancellationToken), arguments, cancellationToken);
        }
        catch (Exception e) when (e is not CloudSetupException && faults.Describe(e) is { } fault)
        {
            await Console.Error.WriteLineAsync($"cloudanon report: {fault}; nothing was written");
            return ExitCodes.SomeFilesFailed;
        }
    }

    /// <summary>Writes the page or the JSON whole, then says which previews are missing (exit 1 when any is).</summary>
    private static async Task<int> WriteAsync(AuditReport report, ReportArguments arguments, CancellationToken cancellationToken)
    {
        byte[] content = arguments.Json ? report.ToJson() : Encoding.UTF8.GetBytes(ReportPage.Render(report));
        await new AtomicFile().WriteAsync(arguments.Output, stream => stream.WriteAsync(content, cancellationToken).AsTask(), cancellationToken);
        var missing = report.Studies.SelectMany(s => s.PixelCleaned).Where(i => i.Preview is null).ToList();
        foreach (var instance in missing)
        {
            await Console.Error.WriteLineAsync($"cloudanon report: no preview of pixel-cleaned instance {instance.SopInstanceUid}: {instance.PreviewProblem}");
        }
        int instances = report.Studies.Sum(s => s.InstancesDeidentified + s.InstancesQuarantined) + report.QuarantinedWithoutStudy.Count;
        await Console.Error.WriteLineAsync($"cloudanon report: {report.Studies.Count} studies, {instances} records, written to {arguments.Output}");
        return missing.Count == 0 ? ExitCodes.Success : ExitCodes.SomeFilesFailed;
    }
}

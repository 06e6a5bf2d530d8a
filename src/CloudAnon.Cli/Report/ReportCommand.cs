using System.Text;
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
        var arguments = ReportArguments.Parse(args);
        if (arguments.Help)
        {
            Console.Out.Write(ReportArguments.Usage);
            return ExitCodes.Success;
        }

        var records = await AuditRecordFolder.ReadAsync(arguments.AuditDirectory!, cancellationToken);
        var report = await ReportPreviews.AddAsync(AuditReportBuilder.Build(records), new EgressFolder(arguments.Egress), cancellationToken);
        return await WriteAsync(report, arguments, cancellationToken);
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

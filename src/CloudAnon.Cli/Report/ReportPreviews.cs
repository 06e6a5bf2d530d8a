using CloudAnon.Core.Audit.Report;
using CloudAnon.Dicom;
using CloudAnon.Pixels.Preview;

namespace CloudAnon.Cli.Report;

/// <summary>Where the de-identified output of an instance is read from: the run's output folder, or the egress container.</summary>
internal interface IDeidentifiedOutputs
{
    /// <summary>The output of the instance, or null when there is none.</summary>
    Task<Stream?> OpenAsync(string studyInstanceUid, PixelCleanedInstance instance, CancellationToken cancellationToken);
}

/// <summary>
/// Fills in the preview of every pixel-cleaned instance of a report from its de-identified output: the first frame with
/// the record's blanked boxes outlined, PNG, as a data: URI. An output that is missing, is another instance, or cannot be
/// decoded gets a fixed reason instead, never a message that could quote the file.
/// </summary>
internal static class ReportPreviews
{
    public const int MaxSide = 320;
    private const long MaxDecodedBytes = 1L << 30;

    public static async Task<AuditReport> AddAsync(AuditReport report, IDeidentifiedOutputs outputs, CancellationToken cancellationToken)
    {
        var studies = new List<StudyReport>();
        foreach (var study in report.Studies)
        {
            var previews = new List<PixelCleanedInstance>();
            foreach (var instance in study.PixelCleaned)
            {
                previews.Add(await PreviewAsync(outputs, study.StudyInstanceUid, instance, cancellationToken));
            }
            studies.Add(study with { PixelCleaned = previews });
        }
        return report with { Studies = studies };
    }

    private static async Task<PixelCleanedInstance> PreviewAsync(IDeidentifiedOutputs outputs, string study, PixelCleanedInstance instance, CancellationToken cancellationToken)
    {
        await using var stream = await outputs.OpenAsync(study, instance, cancellationToken);
        if (stream is null) return instance with { PreviewProblem = "the de-identified output was not found" };
        try
        {
            using var file = await DicomFile.OpenAsync(stream, cancellationToken: cancellationToken);
            if (file.Dataset.GetAsciiString(DicomTag.SopInstanceUid) != instance.SopInstanceUid)
            {
                return instance with { PreviewProblem = "the output found is another instance" };
            }
            FramePreview.Outline[] outlines =
            [
                .. instance.BlankedBoxes.Select(box => new FramePreview.Outline(box, ReportPage.BlankedColour.R, ReportPage.BlankedColour.G, ReportPage.BlankedColour.B)),
                .. instance.BlankedOutside.Select(box => new FramePreview.Outline(box, ReportPage.KeptColour.R, ReportPage.KeptColour.G, ReportPage.KeptColour.B)),
            ];
            var image = await FramePreview.RenderAsync(file, MaxSide, outlines, MaxDecodedBytes, cancellationToken);
            return instance with { Preview = "data:image/png;base64," + Convert.ToBase64String(PngEncoder.Encode(image)) };
        }
        catch (DicomFormatException)
        {
            return instance with { PreviewProblem = "the de-identified output is not readable DICOM" };
        }
        catch (DeidentificationException e)
        {
            return instance with { PreviewProblem = $"the de-identified output's pixels cannot be decoded ({e.Failure})" };
        }
    }
}

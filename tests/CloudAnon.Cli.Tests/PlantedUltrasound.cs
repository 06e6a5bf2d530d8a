using CloudAnon.Dicom;
using CloudAnon.Pixels.Tests;
using CloudAnon.TestSupport;

namespace CloudAnon.Cli.Tests;

/// <summary>
/// Synthetic ultrasound files of one study for the report tests: a 640 × 480 frame with a name, ID, birth date and
/// hospital burned in (<see cref="SyntheticFrame"/>), and planted patient values and original UIDs in the header.
/// </summary>
internal static class PlantedUltrasound
{
    public const string OriginalStudy = "1.2.826.0.1.3680043.10.999.23.1";
    public const string OriginalUidRoot = "1.2.826.0.1.3680043.10.999.23";
    public const string PatientName = $"{PlantedPhi.Prefix}^REPORTPATIENT";
    public const string PatientId = $"{PlantedPhi.Prefix}ID2323";

    /// <summary>The frame every file is rendered like (the text boxes are the same at every seed).</summary>
    public static SyntheticFrame Frame { get; } = SyntheticFrame.Render(640, 480, lightOnDark: true);

    /// <summary>What the files plant: none may appear in a record, a page or a JSON.</summary>
    public static readonly string[] Identifiers =
    [
        PlantedPhi.Prefix, PatientName, PatientId, OriginalStudy, OriginalUidRoot,
        "DOE^", "JANE", "MARIA", "84736251", "19710314", "1971-03-14", "ELSEWHERE", "ACC123",
    ];

    /// <summary>Writes one instance of the study to <paramref name="target"/>, in series <c>OriginalUidRoot.(2 + series)</c>.</summary>
    public static void Write(string target, int series, int instance)
    {
        string scratch = Directory.CreateTempSubdirectory("cloudanon-report-us-").FullName;
        try
        {
            string source = SyntheticDicom.Write(scratch, "us", [SyntheticFrame.Render(640, 480, lightOnDark: true, seed: instance + 1)], SyntheticLayout.Mono8);
            using var file = DicomFile.OpenAsync(File.OpenRead(source)).GetAwaiter().GetResult();
            string sop = $"{OriginalUidRoot}.{10 + instance}";
            file.Dataset.Set(DicomValueElement.FromString(DicomTag.StudyInstanceUid, DicomVR.UI, OriginalStudy));
            file.Dataset.Set(DicomValueElement.FromString(DicomTag.SeriesInstanceUid, DicomVR.UI, $"{OriginalUidRoot}.{2 + series}"));
            file.Dataset.Set(DicomValueElement.FromString(DicomTag.SopInstanceUid, DicomVR.UI, sop));
            file.FileMetaInformation.Set(DicomValueElement.FromString(DicomTag.MediaStorageSopInstanceUid, DicomVR.UI, sop));
            file.Dataset.Set(DicomValueElement.FromString(DicomTags.PatientName, DicomVR.PN, PatientName));
            file.Dataset.Set(DicomValueElement.FromString(DicomTag.PatientId, DicomVR.LO, PatientId));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var output = File.Create(target);
            file.SaveAsync(output).GetAwaiter().GetResult();
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}

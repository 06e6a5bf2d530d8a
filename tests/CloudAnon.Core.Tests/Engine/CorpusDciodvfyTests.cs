using CloudAnon.Dicom;
using CloudAnon.TestSupport;
using Xunit.Abstractions;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>
/// dciodvfy on every well-formed corpus file before and after de-identification (default options, reversible): the
/// output may have no error line its input did not have. One test per file; the dciodvfy runs of all files start at the
/// first test and run in parallel (<see cref="DciodvfyComparison"/>), so the theory costs about one pass over the corpus.
/// </summary>
public sealed class CorpusDciodvfyTests(ITestOutputHelper output)
{
    public static TheoryData<string> WellFormedFiles() => [.. Corpus.WellFormed.Select(f => f.RelativePath)];

    [Theory]
    [MemberData(nameof(WellFormedFiles))]
    public async Task Dciodvfy_reports_no_error_the_input_did_not_have(string relativePath)
    {
        var comparison = await DciodvfyComparison.OfAsync(relativePath);
        output.WriteLine($"{relativePath}: {comparison}");
        foreach (string error in comparison.NewErrors) output.WriteLine("    " + error);
        // Fail closed: refusing is right only where the input gives no way to name the result.
        if (comparison.Refusal is { } refusal)
        {
            using var input = await EngineHarness.ReadAsync(await File.ReadAllBytesAsync(Corpus.Get(relativePath).FullPath));
            if (refusal == DeidentificationFailure.CodestreamMetadataUnwalkable)
            {
                Assert.True(HoldsCodestreamNoWalkerReads(input.TransferSyntax.Uid, await File.ReadAllBytesAsync(Corpus.Get(relativePath).FullPath)),
                    "refused as unwalkable, but the codestream is JPEG or a bare J2K codestream");
                return;
            }
            if (refusal == DeidentificationFailure.MediaDirectory)
            {
                Assert.True(input.Dataset.Contains(new DicomTag(0x0004, 0x1220)), "refused as a DICOMDIR without a Directory Record Sequence");
                return;
            }
            var missing = refusal switch
            {
                DeidentificationFailure.MissingStudyInstanceUid => DicomTag.StudyInstanceUid,
                DeidentificationFailure.MissingSopInstanceUid => DicomTag.SopInstanceUid,
                _ => DicomTag.SeriesInstanceUid,
            };
            Assert.Contains(refusal, new[] { DeidentificationFailure.MissingStudyInstanceUid, DeidentificationFailure.MissingSopInstanceUid, DeidentificationFailure.MissingRequiredAttribute });
            Assert.True(string.IsNullOrEmpty(input.Dataset.GetAsciiString(missing)), $"refused for {missing}, which the input has");
            return;
        }
        Assert.True(comparison.NewErrors.Count == 0, "new dciodvfy errors:\n" + string.Join('\n', comparison.NewErrors));
    }

    [Fact]
    public void Normalising_masks_values_and_uids_but_keeps_what_the_error_is_about()
    {
        const string Unlisted = "Error - Referenced SOP Instance is not listed in CurrentRequestedProcedureEvidenceSequence or PertinentOtherEvidenceSequence but have IMAGE ReferencedSOPInstanceUID ";
        const string BadValue = "Error - Value invalid for this VR - (0x0020,0x3401) CS Modifying Device ID  CS [1] = <{0}> - Character invalid for this VR = '{1}' (0x{2:x2})";

        Assert.Equal(DciodvfyComparison.Normalise(Unlisted + "0"), DciodvfyComparison.Normalise(Unlisted + "2.25.2356563485139548240"));
        Assert.Equal(DciodvfyComparison.Normalise(string.Format(BadValue, "abc", 'a', 0x61)), DciodvfyComparison.Normalise(string.Format(BadValue, "x y", 'x', 0x78)));
        Assert.NotEqual(
            DciodvfyComparison.Normalise("Error - Missing attribute Type 2 Required Element=<StudyID> Module=<GeneralStudy>"),
            DciodvfyComparison.Normalise("Error - Missing attribute Type 2 Required Element=<AccessionNumber> Module=<GeneralStudy>"));
        Assert.NotEqual(
            DciodvfyComparison.Normalise("Error - Bad Sequence number of Items 0 (1-n Required by Module definition) Element=<ReferencedStudySequence> Module=<GeneralStudy>"),
            DciodvfyComparison.Normalise("Error - Bad Sequence number of Items 2 (1-n Required by Module definition) Element=<ReferencedStudySequence> Module=<GeneralStudy>"));
    }

    private static readonly byte[] Jp2SignatureBox = [0, 0, 0, 0x0C, (byte)'j', (byte)'P', 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A];

    /// <summary>
    /// Codestreams the metadata walker cannot walk, so quarantine is right: JPEG XL (1.2.840.10008.1.2.4.110–112), and
    /// J2K fragments wrapped in the JP2 file format (its signature box) instead of a bare codestream.
    /// </summary>
    private static bool HoldsCodestreamNoWalkerReads(string transferSyntaxUid, byte[] file) =>
        transferSyntaxUid.StartsWith("1.2.840.10008.1.2.4.11", StringComparison.Ordinal)
        || file.AsSpan().IndexOf(Jp2SignatureBox) >= 0;
}

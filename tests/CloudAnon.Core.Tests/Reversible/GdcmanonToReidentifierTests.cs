using CloudAnon.Core.Reversible;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;
using Xunit.Abstractions;

namespace CloudAnon.Core.Tests.Reversible;

/// <summary>gdcmanon -e de-identifies corpus files; CloudAnon's Reidentifier must give back the original data set.</summary>
public sealed class GdcmanonToReidentifierTests(RecipientKeyFixture keys, ITestOutputHelper output) : IClassFixture<RecipientKeyFixture>
{
    /// <summary>A spread of modalities, multi-frame, SR and RT documents, private tags and odd structures.</summary>
    private static IEnumerable<CorpusFile> Spread => Corpus.WellFormed.Where(file =>
        file.RelativePath.Split('/')[0] is "modality" or "private" or "structure" or "overlay" or "multiframe");

    /// <summary>
    /// The expected result is the original file's listing. Where gdcmanon -e changes more than it records (it drops a
    /// (0012,0062) NO it replaced, re-types UN private creators, writes a meta for a file without one, and the File Meta
    /// SOP Instance UID follows (0008,0018) where the original disagreed), gdcmanon's own -d cannot restore it either:
    /// then the result must equal gdcmanon -d's.
    /// </summary>
    [Fact]
    public async Task Reidentifier_restores_what_gdcmanon_de_identified()
    {
        var reidentifier = new Reidentifier(keys.KeySource());
        var refused = new List<string>();
        var asGdcmanon = new List<string>();
        var mismatches = new List<string>();
        int restored = 0;
        foreach (var (file, index) in Spread.Select((file, index) => (file, index)))
        {
            string deidentified = Path.Combine(keys.Directory, $"gdcmanon-{index}.dcm");
            string reidentified = Path.Combine(keys.Directory, $"ours-{index}.dcm");
            var run = ExternalTool.Run("gdcmanon", ["-e", "-c", keys.CertificatePath, "-i", file.FullPath, "-o", deidentified]);
            if (run.ExitCode != 0)
            {
                refused.Add($"{file}: exit {run.ExitCode}");
                continue;
            }

            await using (var source = File.OpenRead(deidentified))
            using (var dicom = await DicomFile.OpenAsync(source))
            {
                await reidentifier.ReidentifyAsync(dicom);
                await using var target = File.Create(reidentified);
                await dicom.SaveAsync(target);
            }

            var expected = DicomListing.Of(file.FullPath);
            var actual = DicomListing.Of(reidentified);
            if (expected.SequenceEqual(actual))
            {
                restored++;
                continue;
            }

            string gdcmanonReidentified = Path.Combine(keys.Directory, $"gdcmanon-d-{index}.dcm");
            Assert.Equal(0, ExternalTool.Run("gdcmanon", ["-d", "-k", keys.KeyPath, "-i", deidentified, "-o", gdcmanonReidentified]).ExitCode);
            if (DicomListing.Of(gdcmanonReidentified).SequenceEqual(actual)) asGdcmanon.Add($"{file}:\n{DicomListing.Difference(expected, actual)}");
            else mismatches.Add($"{file}:\n{DicomListing.Difference(expected, actual)}");
        }

        output.WriteLine($"gdcmanon -e refused {refused.Count} file(s), not counted:\n  {string.Join("\n  ", refused)}");
        output.WriteLine($"{asGdcmanon.Count} file(s) differ from the original exactly as gdcmanon -d's output does:\n{string.Join('\n', asGdcmanon)}");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} file(s) not restored:\n{string.Join('\n', mismatches)}");
        Assert.True(restored >= 55, $"only {restored} files went through gdcmanon -e and back exactly ({refused.Count} refused)");
        output.WriteLine($"{restored} file(s) restored exactly.");
    }
}

using System.Text;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>The engine on every well-formed corpus file (dciodvfy before and after: <see cref="CorpusDciodvfyTests"/>).</summary>
public sealed class CorpusDeidentificationTests
{
    private static readonly DicomTag PatientName = new(0x0010, 0x0010);
    private static readonly DicomTag AccessionNumber = new(0x0008, 0x0050);

    public static TheoryData<string> WellFormedFiles() => [.. Corpus.WellFormed.Select(f => f.RelativePath)];

    [Theory]
    [MemberData(nameof(WellFormedFiles))]
    public async Task Identifying_values_and_uids_are_gone_and_pixel_data_is_untouched(string relativePath)
    {
        byte[] input = await File.ReadAllBytesAsync(Corpus.Get(relativePath).FullPath);
        using var file = await EngineHarness.ReadAsync(input);
        var before = file.Dataset;
        string[] identifying = [.. new[] { DicomTag.PatientId, PatientName, AccessionNumber }
            .Select(tag => before.GetAsciiString(tag) ?? "")
            .Where(value => value.Length >= 5 && !value.StartsWith("ANONYM", StringComparison.OrdinalIgnoreCase))];
        string[] uids = [.. new[] { DicomTag.StudyInstanceUid, DicomTag.SeriesInstanceUid, DicomTag.SopInstanceUid }
            .Select(tag => before.GetAsciiString(tag) ?? "").Where(uid => uid.Length > 0)];
        var pixelsBefore = before.Find(DicomTag.PixelData);

        byte[] output;
        DeidentificationResult deidentified;
        try
        {
            (deidentified, output) = await new EngineHarness().RunAsync(file);
        }
        catch (DeidentificationException e)
        {
            // Fail closed: allowed only where the input gives no way to name or trust the result.
            Assert.Contains(e.Failure, new[]
            {
                DeidentificationFailure.MissingRequiredAttribute, DeidentificationFailure.MissingStudyInstanceUid,
                DeidentificationFailure.MissingSopInstanceUid, DeidentificationFailure.MediaDirectory, DeidentificationFailure.AlreadyDeidentified,
                DeidentificationFailure.CodestreamMetadataUnwalkable,
            });
            return;
        }

        using var result = await EngineHarness.ReadAsync(output);
        // Frames that lost codestream metadata are judged by decoding them (CorpusCodestreamTests).
        if (deidentified.CodestreamsStripped == 0) AssertSamePixelData(pixelsBefore, result.Dataset.Find(DicomTag.PixelData));
        // Raw bytes for values with letters; values made of digits only are looked for in text attributes, since
        // numbers such as a Series Number may equal a numeric Patient ID by design.
        string text = Encoding.Latin1.GetString(output);
        Assert.DoesNotContain(identifying.Where(v => v.Any(char.IsAsciiLetter)), value => text.Contains(value, StringComparison.Ordinal));
        Assert.DoesNotContain(uids, uid => text.Contains(uid, StringComparison.Ordinal));
        var texts = TextValues(result.Dataset).ToList();
        Assert.DoesNotContain(identifying, value => texts.Any(t => t.Contains(value, StringComparison.Ordinal)));
        CorpusOracles.AssertDcmdumpReads(output);
    }

    private static IEnumerable<string> TextValues(DicomDataset dataset)
    {
        foreach (var element in dataset.Elements)
        {
            if (element is DicomSequence sequence)
            {
                foreach (string value in sequence.Items.SelectMany(TextValues)) yield return value;
            }
            else if (element is DicomValueElement { Bulk: null } value && (value.VR.IsCharacterSetDependent || value.VR == DicomVR.CS || value.VR == DicomVR.AE))
            {
                yield return Encoding.Latin1.GetString(value.Bytes.Span);
            }
        }
    }

    private static void AssertSamePixelData(DicomElement? before, DicomElement? after)
    {
        switch (before)
        {
            case null:
                Assert.Null(after);
                break;
            case DicomValueElement value:
                var output = Assert.IsType<DicomValueElement>(after);
                Assert.Equal(value.Length, output.Length);
                if (value.Bulk is null) Assert.True(value.Bytes.Span.SequenceEqual(output.Bytes.Span));
                break;
            case DicomFragments fragments:
                var outputFragments = Assert.IsType<DicomFragments>(after);
                Assert.Equal(fragments.Fragments.Select(f => f.Length), outputFragments.Fragments.Select(f => f.Length));
                break;
        }
    }
}

/// <summary>dcmdump on bytes written to a temporary file.</summary>
internal static class CorpusOracles
{
    public static void AssertDcmdumpReads(byte[] content)
    {
        var result = ExternalTool.RunOnBytes(content, "dcmdump", "-q", "+E");
        Assert.True(result.ExitCode == 0, $"dcmdump failed: {result.StandardError}");
    }
}

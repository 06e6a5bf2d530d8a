using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>
/// Every encapsulated corpus file through the engine: the decoded pixels before and after are identical, judged by
/// dcmtk (dcmdjpeg, dcmdjpls, dcmdrle) or GDCM (gdcmconv --raw, for JPEG 2000); and dcmdump reads every corpus output
/// without a warning or error its input did not have.
/// </summary>
public sealed class CorpusCodestreamTests
{
    public static TheoryData<string> EncapsulatedFiles() =>
        [.. Corpus.Files.Where(f => f.IsDicom && TransferSyntax.Lookup(f.TransferSyntaxUid).IsEncapsulated).Select(f => f.RelativePath)];

    public static TheoryData<string> DicomFiles() => [.. Corpus.Files.Where(f => f.IsDicom && !f.HasFeature("dcmtk-crash")).Select(f => f.RelativePath)];

    [Theory]
    [MemberData(nameof(EncapsulatedFiles))]
    public async Task Decoded_pixels_are_identical_before_and_after(string relativePath)
    {
        byte[] input = await File.ReadAllBytesAsync(Corpus.Get(relativePath).FullPath);
        if (await OutputAsync(input) is not { } output) return; // refused: the engine tests say why that is right

        Func<byte[], byte[]>? decoded = Corpus.Get(relativePath).TransferSyntaxUid switch
        {
            "1.2.840.10008.1.2.4.50" or "1.2.840.10008.1.2.4.51" or "1.2.840.10008.1.2.4.53" or "1.2.840.10008.1.2.4.55"
                or "1.2.840.10008.1.2.4.57" or "1.2.840.10008.1.2.4.70" => bytes => CodestreamMetadataTests.DecodedByDcmtk("dcmdjpeg", bytes),
            "1.2.840.10008.1.2.4.80" or "1.2.840.10008.1.2.4.81" => bytes => CodestreamMetadataTests.DecodedByDcmtk("dcmdjpls", bytes),
            "1.2.840.10008.1.2.5" => bytes => CodestreamMetadataTests.DecodedByDcmtk("dcmdrle", bytes),
            "1.2.840.10008.1.2.4.90" or "1.2.840.10008.1.2.4.91" => CodestreamMetadataTests.DecodedByGdcm,
            _ => null,
        };
        if (decoded is null)
        {
            // No outside decoder for the syntax (deflated frames): a format without metadata, so its fragments pass as they came.
            Assert.Equal(await FragmentBytesAsync(input), await FragmentBytesAsync(output));
            return;
        }
        if (!Decodes(decoded, input))
        {
            // Corrupt as it comes (a SIZ no decoder accepts): it cannot be judged by its pixels, and must not become decodable either.
            Assert.False(Decodes(decoded, output));
            return;
        }
        Assert.Equal(decoded(input), decoded(output));
    }

    [Theory]
    [MemberData(nameof(DicomFiles))]
    public async Task Dcmdump_reads_the_output_without_a_warning_the_input_did_not_have(string relativePath)
    {
        byte[] input = await File.ReadAllBytesAsync(Corpus.Get(relativePath).FullPath);
        if (await OutputAsync(input) is not { } output) return;

        var before = Messages(input);
        var after = Messages(output);
        Assert.Empty(after.Except(before));
    }

    /// <summary>The de-identified file, or null when it is refused (quarantined: nothing is written).</summary>
    private static async Task<byte[]?> OutputAsync(byte[] input)
    {
        try
        {
            using var file = await EngineHarness.ReadAsync(input);
            return (await new EngineHarness(allowAlreadyDeidentified: true).RunAsync(file)).Output;
        }
        catch (Exception e) when (e is DeidentificationException or DicomFormatException)
        {
            return null;
        }
    }

    private static bool Decodes(Func<byte[], byte[]> decoded, byte[] input)
    {
        try
        {
            decoded(input);
            return true;
        }
        catch (Xunit.Sdk.XunitException)
        {
            return false;
        }
    }

    /// <summary>dcmdump's warnings and errors, with tags, numbers and values taken out so that only the kind of message is compared.</summary>
    private static HashSet<string> Messages(byte[] dicom)
    {
        var result = ExternalTool.RunOnBytes(dicom, "dcmdump", "+E", "-dc");
        return [.. result.StandardError.Split('\n')
            .Where(line => line.StartsWith("W: ", StringComparison.Ordinal) || line.StartsWith("E: ", StringComparison.Ordinal))
            .Select(line => System.Text.RegularExpressions.Regex.Replace(line, @"\([0-9a-fA-F]{4},[0-9a-fA-F]{4}\)|\d+|/[^ ]*", "#"))];
    }

    private static async Task<byte[]> FragmentBytesAsync(byte[] dicom)
    {
        using var file = await EngineHarness.ReadAsync(dicom);
        using var bytes = new MemoryStream();
        if (file.Dataset.Find(DicomTag.PixelData) is DicomFragments fragments)
        {
            foreach (var fragment in fragments.Fragments)
            {
                if (fragment.Bulk is { } bulk) await bulk.CopyToAsync(bytes);
                else bytes.Write(fragment.Bytes.Span);
            }
        }
        return bytes.ToArray();
    }
}

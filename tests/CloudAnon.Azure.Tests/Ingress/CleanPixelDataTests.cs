using CloudAnon.Azure.Ingress;
using CloudAnon.Core;
using CloudAnon.Dicom;
using CloudAnon.Pixels;
using CloudAnon.Pixels.Tests;
using Ultrasound = CloudAnon.Pixels.Tests.SyntheticDicom;

namespace CloudAnon.Azure.Tests.Ingress;

/// <summary>
/// Issue 12 through the real pipeline on Azurite: an ultrasound file with a name, ID, birth date and hospital rendered
/// into its pixels is dropped into ingress and processed by the IngressProcessor with Clean Pixel Data on (egress,
/// text blanked, the rest unchanged, marked) or detect-only (quarantine, unchanged, with its reason).
/// </summary>
public sealed class CleanPixelDataTests : IDisposable
{
    // The detector's boxes are enlarged cores of text: pixels this close to a text line may be blanked too.
    private const int AllowedBand = 16;
    private static readonly DicomTag BurnedInAnnotation = new(0x0028, 0x0301);
    private static readonly DicomTag DeidentificationMethodCodes = new(0x0012, 0x0064);
    private static readonly DicomTag CodeValue = new(0x0008, 0x0100);

    private readonly string _directory = Directory.CreateTempSubdirectory("cloudanon-pipeline-pixels-").FullName;
    private readonly SyntheticFrame _frame = SyntheticFrame.Render(640, 480, lightOnDark: true);

    [Fact]
    public async Task With_clean_pixel_data_on_the_text_is_blanked_and_the_file_reaches_egress()
    {
        var (pipeline, processor, _) = await UploadAsync(CleanPixelDataMode.On);

        var outcome = await processor.ProcessAsync("ultrasound.dcm");

        Assert.Equal(IngressOutcomeKind.Egress, outcome.Kind);
        var item = Assert.Single(await Pipeline.ListAsync(pipeline.Containers.Egress));
        Assert.Empty(await Pipeline.ListAsync(pipeline.Containers.Quarantine));
        using var file = await DicomFile.OpenAsync(new MemoryStream(await Pipeline.DownloadAsync(pipeline.Containers.Egress, item.Name)));
        Assert.Equal("NO", file.Dataset.GetAsciiString(BurnedInAnnotation));
        var codes = ((DicomSequence)file.Dataset.Find(DeidentificationMethodCodes)!).Items.Select(i => i.GetAsciiString(CodeValue));
        Assert.Contains("113101", codes);

        byte[] before = Ultrasound.FrameSamples(_frame, SyntheticLayout.Mono8);
        var after = (await PixelFrames.ReadAsync(file.Dataset, file.TransferSyntax, ImagePixelModule.Read(file.Dataset), 1L << 30, CancellationToken.None)).Frames.Single();
        var bands = new BlankMask(_frame.Width, _frame.Height);
        foreach (var box in _frame.TextBoxes) bands.Add(box.Inflate(AllowedBand));
        int changedOutside = 0, glyphsLeft = 0;
        for (int pixel = 0; pixel < before.Length; pixel++)
        {
            if (after[pixel] != before[pixel] && !bands[pixel % _frame.Width, pixel / _frame.Width]) changedOutside++;
            if (_frame.Glyphs[pixel] && after[pixel] != 0) glyphsLeft++;
        }
        Assert.Equal((0, 0), (changedOutside, glyphsLeft));
        Assert.True(_frame.Glyphs.Count(g => g) > 1000, "the frame has text to blank");
    }

    [Fact]
    public async Task With_detect_only_a_file_showing_text_is_quarantined_unchanged_with_its_reason()
    {
        var (pipeline, processor, input) = await UploadAsync(CleanPixelDataMode.DetectOnly);

        var outcome = await processor.ProcessAsync("ultrasound.dcm");

        Assert.Equal((IngressOutcomeKind.Quarantine, QuarantineReasons.From(DeidentificationFailure.BurnedInTextDetected)), (outcome.Kind, outcome.ReasonCode));
        Assert.Empty(await Pipeline.ListAsync(pipeline.Containers.Egress));
        var item = Assert.Single(await Pipeline.ListAsync(pipeline.Containers.Quarantine));
        Assert.Equal(nameof(DeidentificationFailure.BurnedInTextDetected), item.Metadata[IngressMetadata.Reason]);
        Assert.Equal(input, await Pipeline.DownloadAsync(pipeline.Containers.Quarantine, item.Name));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A fresh deployment with the option set, and the synthetic ultrasound file (MONOCHROME2, Explicit VR Little Endian) in its ingress.</summary>
    private async Task<(Pipeline Pipeline, IngressProcessor Processor, byte[] Input)> UploadAsync(CleanPixelDataMode mode)
    {
        var pipeline = await Pipeline.CreateAsync();
        var (processor, _, _) = pipeline.NewProcessor(deidentification: new DeidentificationOptions { CleanPixelData = mode, RefuseBurnedInAnnotation = true });
        byte[] input = await File.ReadAllBytesAsync(Ultrasound.Write(_directory, "ultrasound", [_frame], SyntheticLayout.Mono8));
        await pipeline.UploadAsync("ultrasound.dcm", input);
        return (pipeline, processor, input);
    }
}

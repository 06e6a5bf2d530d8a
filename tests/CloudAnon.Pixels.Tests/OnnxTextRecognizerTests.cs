using CloudAnon.Pixels.Detection;
using Xunit.Abstractions;

namespace CloudAnon.Pixels.Tests;

/// <summary>The recogniser reads the synthetic frame's lines back, and its span lies on the line's glyphs.</summary>
[Collection(DetectorCollection.Name)]
public sealed class OnnxTextRecognizerTests(DetectorFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void Each_line_reads_back_and_its_span_covers_the_glyphs()
    {
        var frame = SyntheticFrame.Render(640, 480, lightOnDark: true);
        var image = new RgbImage(frame.Width, frame.Height, frame.Rgb);
        for (int i = 0; i < SyntheticFrame.IdentifyingLines.Length; i++)
        {
            var box = frame.TextBoxes[i];
            var read = fixture.Recognizer.Read(image, box.Inflate(6));
            output.WriteLine($"{SyntheticFrame.IdentifyingLines[i]} → \"{read.Text}\" {read.MeanConfidence:0.00} span {read.Span} box {box}");
            Assert.Equal(Squeezed(SyntheticFrame.IdentifyingLines[i]), Squeezed(read.Text));
            Assert.True(read.Span.X <= box.X + box.Height && read.Span.Right >= box.Right - box.Height, $"span {read.Span} is short of {box}");
        }
    }

    [Fact]
    public void The_fused_graph_reads_what_the_graph_as_shipped_reads()
    {
        PaddleGraphFusion.Fuse(File.ReadAllBytes(OnnxTextRecognizer.DefaultModelPath), out var counts);
        Assert.Equal(new PaddleGraphFusion.Counts(ConvAffine: 28, HardSwish: 28, PointwiseAffine: 12, AffineAsBatchNorm: 13, ScaledResidual: 0, ConvTransposeAffine: 0), counts);

        using var shipped = OnnxTextRecognizer.Open(null, threads: 2, model => model);
        var frame = SyntheticFrame.Render(640, 480, lightOnDark: false);
        var image = new RgbImage(frame.Width, frame.Height, frame.Rgb);
        foreach (var box in frame.TextBoxes)
        {
            var expected = shipped.Read(image, box.Inflate(6));
            var fused = fixture.Recognizer.Read(image, box.Inflate(6));
            Assert.NotEqual("", expected.Text);
            Assert.Equal((expected.Text, expected.Span), (fused.Text, fused.Span));
            for (int i = 0; i < expected.Confidences.Count; i++) Assert.Equal(expected.Confidences[i], fused.Confidences[i], 0.0001f);
        }
    }

    private static string Squeezed(string text) => text.Replace(" ", "", StringComparison.Ordinal);
}

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

    private static string Squeezed(string text) => text.Replace(" ", "", StringComparison.Ordinal);
}

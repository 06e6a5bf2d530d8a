using CloudAnon.Pixels;
using SkiaSharp;

namespace CloudAnon.TestData;

/// <summary>
/// A frame like an ultrasound or screen capture: a smooth "anatomy" background (a bright sector with soft blobs) and
/// identifying text burned in at the corners, rendered with DejaVu Sans. Knows which pixels are glyph pixels and the
/// box of each text line, so tests can count what changed inside and outside the text.
/// </summary>
public sealed class SyntheticFrame
{
    public const string FontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    public static readonly string[] IdentifyingLines = ["DOE^JANE MARIA", "ID 84736251", "DOB 1971-03-14", "ST ELSEWHERE HOSPITAL"];

    public SyntheticFrame(int width, int height, byte[] rgb, bool[] glyphs, List<PixelRegion> textBoxes)
    {
        Width = width;
        Height = height;
        Rgb = rgb;
        Glyphs = glyphs;
        TextBoxes = textBoxes;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>8-bit RGB, interleaved.</summary>
    public byte[] Rgb { get; }

    /// <summary>Pixels the text touched.</summary>
    public bool[] Glyphs { get; }

    /// <summary>The tight box of each text line's glyphs.</summary>
    public List<PixelRegion> TextBoxes { get; }

    public static SyntheticFrame Render(int width, int height, bool lightOnDark, int seed = 1, bool colour = false)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        DrawBackground(canvas, width, height, lightOnDark, seed, colour);
        var before = bitmap.Bytes;

        using var typeface = SKTypeface.FromFile(FontPath) ?? throw new InvalidOperationException($"{FontPath} is missing: apt-get install fonts-dejavu-core.");
        using var font = new SKFont(typeface, Math.Max(14, height / 28f));
        using var paint = new SKPaint { Color = lightOnDark ? new SKColor(235, 235, 235) : new SKColor(15, 15, 15), IsAntialias = true };
        float lineHeight = font.Size * 1.4f;
        var anchors = new (float X, float Y)[]
        {
            (8, 8 + font.Size), (8, 8 + font.Size + lineHeight),
            (width - 8 - font.MeasureText(IdentifyingLines[2]), 8 + font.Size), (8, height - 10),
        };
        for (int i = 0; i < IdentifyingLines.Length; i++) canvas.DrawText(IdentifyingLines[i], anchors[i].X, anchors[i].Y, SKTextAlign.Left, font, paint);
        canvas.Flush();
        var after = bitmap.Bytes;

        var rgb = new byte[width * height * 3];
        var glyphs = new bool[width * height];
        for (int p = 0; p < width * height; p++)
        {
            for (int c = 0; c < 3; c++) rgb[p * 3 + c] = after[p * 4 + c];
            glyphs[p] = after[p * 4] != before[p * 4] || after[p * 4 + 1] != before[p * 4 + 1] || after[p * 4 + 2] != before[p * 4 + 2];
        }
        var boxes = anchors.Select((a, i) =>
        {
            font.MeasureText(IdentifyingLines[i], out var bounds);
            return new PixelRegion((int)Math.Floor(a.X + bounds.Left) - 1, (int)Math.Floor(a.Y + bounds.Top) - 1, (int)Math.Ceiling(bounds.Width) + 3, (int)Math.Ceiling(bounds.Height) + 3);
        }).ToList();
        return new SyntheticFrame(width, height, rgb, glyphs, boxes);
    }

    /// <summary>A bright fan-shaped sector with soft blobs that drift with the seed (frames of a cine differ there only).</summary>
    private static void DrawBackground(SKCanvas canvas, int width, int height, bool lightOnDark, int seed, bool colour)
    {
        canvas.Clear(lightOnDark ? new SKColor(0, 0, 0) : new SKColor(250, 250, 250));
        var centre = new SKPoint(width / 2f, height * 0.12f);
        using var shader = SKShader.CreateRadialGradient(centre, height * 0.8f,
            [new SKColor(40, 40, 40), colour ? new SKColor(150, 110, 90) : new SKColor(140, 140, 140), new SKColor(60, 60, 60)], SKShaderTileMode.Clamp);
        using var fill = new SKPaint { Shader = shader, IsAntialias = true };
        canvas.DrawArc(new SKRect(centre.X - height * 0.8f, centre.Y - height * 0.8f, centre.X + height * 0.8f, centre.Y + height * 0.8f), 55, 70, true, fill);
        var random = new Random(seed);
        using var blob = new SKPaint { IsAntialias = true, MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, 12) };
        for (int i = 0; i < 6; i++)
        {
            blob.Color = new SKColor((byte)random.Next(70, 200), (byte)random.Next(70, 200), (byte)random.Next(70, 200), 160);
            if (!colour) blob.Color = new SKColor(blob.Color.Red, blob.Color.Red, blob.Color.Red, 160);
            canvas.DrawCircle(centre.X + random.Next(-height / 4, height / 4), height * 0.5f + random.Next(-height / 8, height / 8), random.Next(height / 20, height / 10), blob);
        }
    }
}

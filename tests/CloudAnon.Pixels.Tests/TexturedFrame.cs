using SkiaSharp;

namespace CloudAnon.Pixels.Tests;

/// <summary>Image texture the detector may score as text, with no text in it.</summary>
public enum Texture
{
    /// <summary>Ultrasound speckle: Rayleigh-distributed grains inside a fan-shaped sector.</summary>
    Speckle,

    /// <summary>A sector scanned by bright radial lines at a regular angle, with speckle between them.</summary>
    Sector,

    /// <summary>Periodic patterns: a grating, a grid of dots and a checkerboard side by side.</summary>
    Periodic,

    /// <summary>A CT slice: air, a body of noisy soft tissue with lung-like dark vessels, a bright bone ring.</summary>
    CtLike,

    /// <summary>
    /// A bar-pattern resolution phantom: groups of full-contrast bars (periods of 2 to 16 px, upright and lying, three or
    /// five bars a group, like a line-pair test pattern) on mid-grey, with a little noise.
    /// </summary>
    Grating,
}

/// <summary>
/// Frames of <see cref="Texture"/>, optionally with lines of text drawn over them (DejaVu Sans, light or dark), knowing
/// which pixels are glyph pixels and each line's box as typeset (its advance width, from the font's ascent to its descent).
/// </summary>
internal static class TexturedFrame
{
    public static SyntheticFrame Render(Texture texture, int width, int height, int seed = 7, bool colour = false,
        IReadOnlyList<(string Text, float X, float Y)>? lines = null, float fontSize = 18, byte textGrey = 235)
    {
        var random = new Random(seed);
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double value = Value(texture, x, y, width, height, random);
                byte grey = (byte)Math.Clamp((int)Math.Round(value), 0, 255);
                int at = (y * width + x) * 3;
                // Colour frames tint the grey like a colour-Doppler or photo palette, keeping the texture in every channel.
                (rgb[at], rgb[at + 1], rgb[at + 2]) = colour ? (grey, (byte)(grey * 0.8), (byte)(grey * 0.6)) : (grey, grey, grey);
            }
        }
        return lines is null ? new SyntheticFrame(width, height, rgb, new bool[width * height], []) : DrawText(width, height, rgb, lines, fontSize, textGrey);
    }

    private static double Value(Texture texture, int x, int y, int width, int height, Random random)
    {
        double speckle = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())); // Rayleigh, mean about 1.25
        double cx = width / 2.0, cy = height * 0.05, dx = x - cx, dy = y - cy;
        double radius = Math.Sqrt(dx * dx + dy * dy), angle = Math.Atan2(dx, dy);
        bool inSector = Math.Abs(angle) < 0.6 && radius < height * 0.9 && radius > height * 0.08;
        switch (texture)
        {
            case Texture.Speckle:
                return inSector ? 70 * speckle * (0.6 + 0.4 * Math.Cos(radius / 23.0)) : 0;
            case Texture.Sector:
                double lines = Math.Pow(Math.Abs(Math.Cos(angle * 60)), 8);
                return inSector ? 40 * speckle + 120 * lines * (1 - radius / height) : 0;
            case Texture.Periodic:
                int third = width / 3;
                return x < third ? 128 + 100 * Math.Sin(x / 3.0) * Math.Sin(y / 5.0)
                    : x < 2 * third ? (x % 12 < 4 && y % 12 < 4 ? 220 : 40)
                    : ((x / 16 + y / 16) % 2 == 0 ? 200 : 60);
            case Texture.Grating:
                return 110 + 8 * (speckle - 1.25) + Bars(x, y, width, height);
            default:
                double bx = (x - width / 2.0) / (width * 0.42), by = (y - height / 2.0) / (height * 0.36);
                double body = bx * bx + by * by;
                if (body > 1) return 4 + 3 * random.NextDouble();
                if (body > 0.85) return 235 + 15 * random.NextDouble();
                bool lung = Math.Abs(Math.Abs(bx) - 0.45) < 0.28 && Math.Abs(by) < 0.55;
                double vessels = Math.Pow(Math.Abs(Math.Sin(x / 6.0 + Math.Sin(y / 9.0) * 2) * Math.Cos(y / 7.0)), 6);
                return lung ? 25 + 60 * vessels + 8 * speckle : 120 + 12 * (speckle - 1.25);
        }
    }

    /// <summary>
    /// The bar pattern's contribution at (x, y): a 4 × 2 grid of cells, each a group of bars of one period (upright bars
    /// in the top row, lying ones in the bottom row), bars ±100 around the background.
    /// </summary>
    private static double Bars(int x, int y, int width, int height)
    {
        int[] periods = [2, 4, 8, 16];
        int cellWidth = width / 4, cellHeight = height / 2;
        int column = x / cellWidth, row = y / cellHeight;
        if (column > 3 || row > 1) return 0;
        int period = periods[column], bars = column % 2 == 0 ? 5 : 3;
        // The group sits in the middle of its cell: its bars run across 70% of the cell.
        int along = row == 0 ? x % cellWidth : y % cellHeight, across = row == 0 ? y % cellHeight : x % cellWidth;
        int alongSize = row == 0 ? cellWidth : cellHeight, acrossSize = row == 0 ? cellHeight : cellWidth;
        int start = (alongSize - bars * period) / 2, offset = along - start;
        if (offset < 0 || offset >= bars * period || Math.Abs(across - acrossSize / 2.0) > acrossSize * 0.35) return 0;
        return offset % period < period / 2 ? 100 : -100;
    }

    private static SyntheticFrame DrawText(int width, int height, byte[] rgb, IReadOnlyList<(string Text, float X, float Y)> lines, float fontSize, byte textGrey)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var rgba = new byte[width * height * 4];
        for (int p = 0; p < width * height; p++) (rgba[p * 4], rgba[p * 4 + 1], rgba[p * 4 + 2], rgba[p * 4 + 3]) = (rgb[p * 3], rgb[p * 3 + 1], rgb[p * 3 + 2], 255);
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using (var canvas = new SKCanvas(bitmap))
        {
            using var typeface = SKTypeface.FromFile(SyntheticFrame.FontPath);
            using var font = new SKFont(typeface, fontSize);
            using var paint = new SKPaint { Color = new SKColor(textGrey, textGrey, textGrey), IsAntialias = true };
            foreach (var (text, x, y) in lines) canvas.DrawText(text, x, y, SKTextAlign.Left, font, paint);
            canvas.Flush();
        }
        var after = bitmap.Bytes;
        var glyphs = new bool[width * height];
        var drawn = (byte[])rgb.Clone();
        for (int p = 0; p < width * height; p++)
        {
            for (int c = 0; c < 3; c++) drawn[p * 3 + c] = after[p * 4 + c];
            glyphs[p] = after[p * 4] != rgba[p * 4] || after[p * 4 + 1] != rgba[p * 4 + 1] || after[p * 4 + 2] != rgba[p * 4 + 2];
        }
        using var measuring = new SKFont(SKTypeface.FromFile(SyntheticFrame.FontPath), fontSize);
        var metrics = measuring.Metrics;
        var boxes = lines.Select(line => new PixelRegion((int)Math.Floor(line.X), (int)Math.Floor(line.Y + metrics.Ascent),
            (int)Math.Ceiling(measuring.MeasureText(line.Text)) + 1, (int)Math.Ceiling(metrics.Descent - metrics.Ascent) + 1)).ToList();
        return new SyntheticFrame(width, height, drawn, glyphs, boxes);
    }
}

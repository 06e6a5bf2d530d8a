using CloudAnon.Dicom;
using CloudAnon.Pixels.Detection;

namespace CloudAnon.Pixels.Preview;

/// <summary>
/// A small picture of a file's first frame for a reviewer: decoded with the cleaner's codecs, rendered with its window
/// and colour logic (<see cref="FrameRenderer"/>), scaled down to fit a square, with rectangles of the frame outlined.
/// </summary>
public static class FramePreview
{
    /// <summary>A rectangle of the full frame to outline, and the colour of its outline.</summary>
    public readonly record struct Outline(PixelRegion Region, byte Red, byte Green, byte Blue);

    /// <param name="maxSide">The longest side of the preview, in pixels; a smaller frame keeps its size.</param>
    /// <param name="maxDecodedBytes">The most decoded pixel data read (every frame is decoded, as the cleaner does).</param>
    /// <exception cref="DeidentificationException">The pixel data cannot be decoded, or is larger than <paramref name="maxDecodedBytes"/>.</exception>
    public static async Task<RgbImage> RenderAsync(DicomFile file, int maxSide, IReadOnlyList<Outline> outlines, long maxDecodedBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 1);
        var stored = ImagePixelModule.Read(file.Dataset);
        var palette = stored.Photometric == Photometric.PaletteColor ? await PaletteLut.ReadAsync(file.Dataset, cancellationToken).ConfigureAwait(false) : null;
        var frames = await PixelFrames.ReadAsync(file.Dataset, file.TransferSyntax, stored, maxDecodedBytes, cancellationToken).ConfigureAwait(false);
        var full = FrameRenderer.Render(frames.Frames[0], frames.Module, palette);
        double scale = Math.Min(1.0, (double)maxSide / Math.Max(full.Width, full.Height));
        var preview = Scale(full, Math.Max(1, (int)Math.Round(full.Width * scale)), Math.Max(1, (int)Math.Round(full.Height * scale)));
        foreach (var outline in outlines) Draw(preview, outline, (double)preview.Width / full.Width, (double)preview.Height / full.Height);
        return preview;
    }

    /// <summary>Box filter: each preview pixel is the mean of the frame pixels it covers, so thin text and edges stay visible.</summary>
    private static RgbImage Scale(RgbImage source, int width, int height)
    {
        if (width == source.Width && height == source.Height) return source;
        var pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            int top = y * source.Height / height, bottom = Math.Max(top + 1, (y + 1) * source.Height / height);
            for (int x = 0; x < width; x++)
            {
                int left = x * source.Width / width, right = Math.Max(left + 1, (x + 1) * source.Width / width);
                for (int channel = 0; channel < 3; channel++)
                {
                    long sum = 0;
                    for (int sy = top; sy < bottom; sy++)
                    {
                        for (int sx = left; sx < right; sx++) sum += source.Pixels[(sy * source.Width + sx) * 3 + channel];
                    }
                    pixels[(y * width + x) * 3 + channel] = (byte)(sum / ((bottom - top) * (right - left)));
                }
            }
        }
        return new RgbImage(width, height, pixels);
    }

    /// <summary>The rectangle's border, one preview pixel wide, clipped to the preview.</summary>
    private static void Draw(RgbImage image, Outline outline, double scaleX, double scaleY)
    {
        var region = outline.Region;
        int left = (int)Math.Floor(region.X * scaleX), top = (int)Math.Floor(region.Y * scaleY);
        int right = Math.Max(left, (int)Math.Ceiling(region.Right * scaleX) - 1), bottom = Math.Max(top, (int)Math.Ceiling(region.Bottom * scaleY) - 1);
        for (int x = left; x <= right; x++)
        {
            Set(image, x, top, outline);
            Set(image, x, bottom, outline);
        }
        for (int y = top; y <= bottom; y++)
        {
            Set(image, left, y, outline);
            Set(image, right, y, outline);
        }
    }

    private static void Set(RgbImage image, int x, int y, Outline outline)
    {
        if (x < 0 || y < 0 || x >= image.Width || y >= image.Height) return;
        int at = (y * image.Width + x) * 3;
        (image.Pixels[at], image.Pixels[at + 1], image.Pixels[at + 2]) = (outline.Red, outline.Green, outline.Blue);
    }
}

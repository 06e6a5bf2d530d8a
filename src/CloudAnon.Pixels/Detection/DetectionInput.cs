namespace CloudAnon.Pixels.Detection;

/// <summary>
/// The size the detector looks at an image in, and the image written into its input tensor [1, 3, H, W]: resized
/// (bilinear) to a long side of at most the model's limit, or enlarged to a long side of at least a minimum (the detector
/// misses text of 8–10 px glyphs at their own size), each channel ImageNet-normalised, padded with black to multiples of 32.
/// </summary>
internal readonly record struct DetectionInput(int Width, int Height, int PaddedWidth, int PaddedHeight)
{
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    // (v / 255 − mean) / std for every 8-bit value of each channel.
    private static readonly float[][] Normalised = [.. Enumerable.Range(0, 3).Select(c => Enumerable.Range(0, 256).Select(v => (v / 255f - Mean[c]) / Std[c]).ToArray())];

    public int PaddedPixels => PaddedWidth * PaddedHeight;

    /// <summary>
    /// The detection size of a <paramref name="width"/> × <paramref name="height"/> image: its own, scaled down to a long
    /// side of <paramref name="maxSide"/>, or up to a long side of <paramref name="minSide"/>.
    /// </summary>
    public static DetectionInput For(int width, int height, int maxSide, int minSide = 0)
    {
        int longSide = Math.Max(width, height);
        double scale = longSide > maxSide ? (double)maxSide / longSide : Math.Max(1.0, (double)minSide / longSide);
        int w = Math.Max(1, (int)Math.Round(width * scale)), h = Math.Max(1, (int)Math.Round(height * scale));
        return new DetectionInput(w, h, (w + 31) / 32 * 32, (h + 31) / 32 * 32);
    }

    /// <summary>Writes <paramref name="image"/> into <paramref name="tensor"/> (at least 3 × <see cref="PaddedPixels"/> floats, channel planes).</summary>
    public void Fill(RgbImage image, Span<float> tensor)
    {
        int plane = PaddedPixels;
        for (int c = 0; c < 3; c++) tensor.Slice(c * plane, plane).Fill(Normalised[c][0]);
        if (Width == image.Width && Height == image.Height) CopyRows(image, tensor);
        else ResampleRows(image, tensor);
    }

    private void CopyRows(RgbImage image, Span<float> tensor)
    {
        ReadOnlySpan<byte> pixels = image.Pixels;
        int plane = PaddedPixels;
        var (r, g, b) = (Normalised[0], Normalised[1], Normalised[2]);
        for (int y = 0; y < Height; y++)
        {
            var row = pixels.Slice(y * Width * 3, Width * 3);
            var red = tensor.Slice(y * PaddedWidth, Width);
            var green = tensor.Slice(plane + y * PaddedWidth, Width);
            var blue = tensor.Slice(2 * plane + y * PaddedWidth, Width);
            for (int x = 0; x < Width; x++)
            {
                red[x] = r[row[x * 3]];
                green[x] = g[row[x * 3 + 1]];
                blue[x] = b[row[x * 3 + 2]];
            }
        }
    }

    // Bilinear interpolation of 8-bit values commutes with the (affine) normalisation: interpolate, then normalise.
    private void ResampleRows(RgbImage image, Span<float> tensor)
    {
        ReadOnlySpan<byte> pixels = image.Pixels;
        int plane = PaddedPixels, stride = image.Width * 3;
        var (left, right, across) = Taps(image.Width, Width);
        var (up, down, below) = Taps(image.Height, Height);
        for (int y = 0; y < Height; y++)
        {
            var top = pixels.Slice(up[y] * stride, stride);
            var bottom = pixels.Slice(down[y] * stride, stride);
            float wy = below[y];
            for (int x = 0; x < Width; x++)
            {
                int x0 = left[x] * 3, x1 = right[x] * 3;
                float wx = across[x];
                for (int c = 0; c < 3; c++)
                {
                    float upper = top[x0 + c] + (top[x1 + c] - top[x0 + c]) * wx;
                    float lower = bottom[x0 + c] + (bottom[x1 + c] - bottom[x0 + c]) * wx;
                    tensor[c * plane + y * PaddedWidth + x] = ((upper + (lower - upper) * wy) / 255f - Mean[c]) / Std[c];
                }
            }
        }
    }

    /// <summary>For each target position, the two source positions it lies between and the weight of the second.</summary>
    private static (int[] First, int[] Second, float[] Weight) Taps(int source, int target)
    {
        var (first, second, weight) = (new int[target], new int[target], new float[target]);
        double step = (double)source / target;
        for (int i = 0; i < target; i++)
        {
            double at = Math.Max(0, (i + 0.5) * step - 0.5);
            first[i] = Math.Min((int)at, source - 1);
            second[i] = Math.Min(first[i] + 1, source - 1);
            weight[i] = (float)(at - first[i]);
        }
        return (first, second, weight);
    }
}

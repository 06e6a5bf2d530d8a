namespace CloudAnon.Pixels.Detection;

/// <summary>An 8-bit RGB image, interleaved, row by row: what the text detector looks at.</summary>
public sealed class RgbImage(int width, int height, byte[] pixels)
{
    public int Width { get; } = width;
    public int Height { get; } = height;
    public byte[] Pixels { get; } = pixels.Length == width * height * 3 ? pixels : throw new ArgumentException("Pixels must hold width × height × 3 bytes.", nameof(pixels));
}

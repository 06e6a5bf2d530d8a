using System.Text.Json.Serialization;

namespace CloudAnon.Pixels;

/// <summary>A rectangle of pixels: column <see cref="X"/>, row <see cref="Y"/>, extending right and down. Written to JSON as {x, y, width, height}.</summary>
public readonly record struct PixelRegion(int X, int Y, int Width, int Height)
{
    [JsonIgnore] public int Right => X + Width;
    [JsonIgnore] public int Bottom => Y + Height;
    [JsonIgnore] public long Area => (long)Math.Max(0, Width) * Math.Max(0, Height);
    [JsonIgnore] public bool IsEmpty => Width <= 0 || Height <= 0;

    /// <summary>The part of this rectangle inside a frame of <paramref name="columns"/> × <paramref name="rows"/>.</summary>
    public PixelRegion ClipTo(int columns, int rows)
    {
        int x = Math.Clamp(X, 0, columns), y = Math.Clamp(Y, 0, rows);
        int right = Math.Clamp(Right, 0, columns), bottom = Math.Clamp(Bottom, 0, rows);
        return new PixelRegion(x, y, Math.Max(0, right - x), Math.Max(0, bottom - y));
    }

    public PixelRegion Inflate(int by) => new(X - by, Y - by, Width + 2 * by, Height + 2 * by);

    public override string ToString() => $"{X},{Y} {Width}x{Height}";
}

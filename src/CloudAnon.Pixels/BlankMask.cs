namespace CloudAnon.Pixels;

/// <summary>The pixels of a frame to blank: the union of rectangles, and optionally everything outside a set of kept rectangles.</summary>
public sealed class BlankMask
{
    private readonly bool[] _blank;

    public BlankMask(int columns, int rows)
    {
        Columns = columns;
        Rows = rows;
        _blank = new bool[columns * rows];
    }

    public int Columns { get; }
    public int Rows { get; }

    /// <summary>The rectangles added, clipped to the frame (for reporting and for the verification pass).</summary>
    public List<PixelRegion> Regions { get; } = [];

    /// <summary>The rectangles given to <see cref="AddOutside"/>, clipped to the frame: all that lies outside them is blanked.</summary>
    public List<PixelRegion> KeptRegions { get; } = [];

    public long Count { get; private set; }

    public bool IsEmpty => Count == 0;

    public bool this[int x, int y] => _blank[y * Columns + x];

    public void Add(PixelRegion region)
    {
        var clipped = region.ClipTo(Columns, Rows);
        if (clipped.IsEmpty) return;
        Regions.Add(clipped);
        for (int y = clipped.Y; y < clipped.Bottom; y++) Mark(y * Columns + clipped.X, clipped.Width);
    }

    /// <summary>Blanks every pixel outside the union of <paramref name="kept"/> (the ultrasound data regions).</summary>
    public void AddOutside(IReadOnlyList<PixelRegion> kept)
    {
        var keep = new bool[_blank.Length];
        foreach (var region in kept.Select(r => r.ClipTo(Columns, Rows)))
        {
            KeptRegions.Add(region);
            for (int y = region.Y; y < region.Bottom; y++) keep.AsSpan(y * Columns + region.X, region.Width).Fill(true);
        }
        for (int i = 0; i < _blank.Length; i++)
        {
            if (keep[i] || _blank[i]) continue;
            _blank[i] = true;
            Count++;
        }
    }

    /// <summary>Makes horizontal pixel pairs whole (YBR_FULL_422 shares one chroma pair between two pixels).</summary>
    public void WidenToPairs()
    {
        for (int i = 0; i + 1 < _blank.Length; i += 2)
        {
            if (_blank[i] == _blank[i + 1]) continue;
            _blank[i] = _blank[i + 1] = true;
            Count++;
        }
    }

    /// <summary>The share of <paramref name="region"/>'s pixels (clipped to the frame) that are blanked.</summary>
    public double Coverage(PixelRegion region)
    {
        var clipped = region.ClipTo(Columns, Rows);
        if (clipped.IsEmpty) return 1;
        long covered = 0;
        for (int y = clipped.Y; y < clipped.Bottom; y++)
        {
            for (int x = clipped.X; x < clipped.Right; x++) covered += _blank[y * Columns + x] ? 1 : 0;
        }
        return (double)covered / clipped.Area;
    }

    private void Mark(int start, int length)
    {
        for (int i = start; i < start + length; i++)
        {
            if (_blank[i]) continue;
            _blank[i] = true;
            Count++;
        }
    }
}

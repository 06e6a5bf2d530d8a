namespace CloudAnon.Pixels.Codecs;

/// <summary>
/// The byte ranges of a codestream that a walker removes or replaces (ranges that do not overlap), and the codestream they give:
/// every byte outside them is copied as it was. A struct whose list is made at the first edit: a codestream with
/// nothing to remove (most frames) is walked without allocating.
/// </summary>
internal struct CodestreamEdits
{
    private List<(int Start, int Length, byte[] Replacement)>? _edits;

    public void Remove(int start, int length) => (_edits ??= []).Add((start, length, []));

    public void Replace(int start, int length, byte[] replacement) => (_edits ??= []).Add((start, length, replacement));

    /// <summary>The edited codestream, or null when there is nothing to edit.</summary>
    public readonly byte[]? ApplyTo(ReadOnlySpan<byte> codestream)
    {
        if (_edits is null) return null;
        _edits.Sort((a, b) => a.Start.CompareTo(b.Start));
        var result = new byte[codestream.Length + _edits.Sum(e => e.Replacement.Length - e.Length)];
        int from = 0, to = 0;
        foreach (var (start, length, replacement) in _edits)
        {
            codestream[from..start].CopyTo(result.AsSpan(to));
            to += start - from;
            replacement.CopyTo(result, to);
            to += replacement.Length;
            from = start + length;
        }
        codestream[from..].CopyTo(result.AsSpan(to));
        return result;
    }

    /// <summary>
    /// Removes what follows the end marker at <paramref name="end"/> unless it is zero padding: a pad byte of another
    /// value or a vendor's trailer, neither of them image, and either may hold anything. A second codestream there
    /// (a frame count that is wrong) cannot be told from the frame: the codestream is then not walkable.
    /// </summary>
    public void RemoveTrailer(ReadOnlySpan<byte> codestream, int end, ReadOnlySpan<byte> startMarker, string format)
    {
        var trailer = codestream[end..];
        if (!trailer.ContainsAnyExcept((byte)0)) return;
        if (trailer.TrimStart((byte)0).StartsWith(startMarker)) throw Unwalkable(format, "a second codestream follows the end of the first");
        Remove(end, trailer.Length);
    }

    public static DeidentificationException Unwalkable(string format, string why) =>
        new(DeidentificationFailure.CodestreamMetadataUnwalkable, $"The {format} codestream cannot be walked for metadata: {why}.");
}

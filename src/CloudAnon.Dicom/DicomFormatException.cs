namespace CloudAnon.Dicom;

/// <summary>
/// The bytes are not a DICOM data set this codec can read. The message names the byte offset, the tag
/// when known, and a fixed reason; it never quotes value bytes, which may hold PHI.
/// </summary>
public sealed class DicomFormatException : Exception
{
    public DicomFormatException(string reason, long offset, DicomTag? tag = null)
        : base(tag is { } t ? $"{reason} (tag {t}, offset {offset})" : $"{reason} (offset {offset})")
    {
        Reason = reason;
        Offset = offset;
        Tag = tag;
    }

    /// <summary>A fixed description of the problem, free of file content.</summary>
    public string Reason { get; }

    /// <summary>Byte offset in the stream (after inflation for deflated data sets) where the problem was found.</summary>
    public long Offset { get; }

    public DicomTag? Tag { get; }
}

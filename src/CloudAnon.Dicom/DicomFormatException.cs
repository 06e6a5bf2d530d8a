namespace CloudAnon.Dicom;

/// <summary>What kind of problem a <see cref="DicomFormatException"/> reports, set where it is thrown.</summary>
public enum DicomFormatErrorKind
{
    /// <summary>Neither a DICM prefix nor a recognisable data set at the start (or nothing at all).</summary>
    NotDicom,

    /// <summary>The data set ends inside an element, sequence or item: the file was cut, as by an interrupted transfer.</summary>
    Truncated,

    /// <summary>A value's declared length runs past the data that is there (a cut file or a length that lies).</summary>
    LengthBeyondData,

    /// <summary>The structure breaks the encoding rules (a bad VR, a misplaced item or delimiter, invalid deflate data…).</summary>
    Malformed,

    /// <summary>Within the rules but beyond a limit of <see cref="DicomReaderOptions"/> (nesting depth).</summary>
    LimitExceeded,
}

/// <summary>
/// The bytes are not a DICOM data set this codec can read. The message names the byte offset, the tag
/// when known, and a fixed reason; it never quotes value bytes, which may hold PHI.
/// </summary>
public sealed class DicomFormatException : Exception
{
    public DicomFormatException(DicomFormatErrorKind kind, string reason, long offset, DicomTag? tag = null)
        : base(tag is { } t ? $"{reason} (tag {t}, offset {offset})" : $"{reason} (offset {offset})")
    {
        Kind = kind;
        Reason = reason;
        Offset = offset;
        Tag = tag;
    }

    /// <summary>What kind of problem it is: callers decide by this, never by <see cref="Reason"/>'s text.</summary>
    public DicomFormatErrorKind Kind { get; }

    /// <summary>A fixed description of the problem, free of file content.</summary>
    public string Reason { get; }

    /// <summary>Byte offset in the stream (after inflation for deflated data sets) where the problem was found.</summary>
    public long Offset { get; }

    public DicomTag? Tag { get; }
}

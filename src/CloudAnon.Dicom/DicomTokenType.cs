namespace CloudAnon.Dicom;

public enum DicomTokenType : byte
{
    None,

    /// <summary>A data element. Its value is in ValueSpan, or, when HasValueChunks, follows as ValueChunk tokens.</summary>
    Element,

    /// <summary>A piece of a long value (element or fragment), in reading order.</summary>
    ValueChunk,

    /// <summary>A sequence (VR SQ, or UN/implicit with undefined length) begins; its items follow.</summary>
    SequenceStart,
    SequenceEnd,
    ItemStart,
    ItemEnd,

    /// <summary>Encapsulated pixel data begins: the Basic Offset Table and fragments follow as Fragment tokens.</summary>
    FragmentsStart,
    Fragment,
    FragmentsEnd,
}

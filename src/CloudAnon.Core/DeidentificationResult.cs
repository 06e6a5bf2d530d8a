using CloudAnon.Dicom;
using CloudAnon.Pixels;

namespace CloudAnon.Core;

/// <summary>Whether the pixels may show identifying text: the Burned In Annotation attribute, or a modality known for it when the attribute is absent.</summary>
public enum BurnedInAnnotation
{
    No,
    Yes,
    Suspected,
}

/// <summary>The de-identified identity of a file: its new UIDs (safe to log and to name outputs by) and what was done.</summary>
public sealed record DeidentificationResult(
    string StudyInstanceUid,
    string SeriesInstanceUid,
    string SopInstanceUid,
    BurnedInAnnotation BurnedInAnnotation,
    int AttributesChanged,
    bool Encrypted,
    PixelCleaningResult? PixelCleaning = null)
{
    /// <summary>
    /// Warnings: what was wrong with the input's structure and was put right in the output (a duplicated element dropped,
    /// elements put in ascending order). Tags only, never a value: safe to log.
    /// </summary>
    public IReadOnlyList<StructureRepair> StructureRepairs { get; init; } = [];

    /// <summary>Frames of encapsulated pixel data rewritten without their codestream metadata (APPn, COM) or to even length.</summary>
    public int CodestreamsStripped { get; init; }
}

/// <summary>Why a file was not de-identified; the pipeline turns it into a quarantine reason.</summary>
public enum DeidentificationFailure
{
    NotDicom,
    Unparseable,
    AlreadyDeidentified,
    MissingRequiredAttribute,
    MissingStudyInstanceUid,
    MissingSopInstanceUid,
    /// <summary>A standard attribute encoded as UN does not parse as its dictionary VR, and its action needs the value.</summary>
    UninterpretableValue,
    /// <summary>The data set ends inside an element, sequence or item.</summary>
    Truncated,
    /// <summary>A DICOMDIR (Media Storage Directory): an index of files, not an instance.</summary>
    MediaDirectory,
    UnsupportedContent,
    CertificateUnavailable,
    MappingStoreUnavailable,
    EncryptionFailed,

    /// <summary>Clean Pixel Data: the pixels are in a transfer syntax no served codec decodes (JPEG-LS, JPEG 2000, HTJ2K, video, JPEG XL, lossless predictors other than 1).</summary>
    PixelEncodingUnsupported,

    /// <summary>Clean Pixel Data: a pixel layout the cleaner does not handle (1- or 32-bit, YBR_PARTIAL, High Bit ≠ Bits Stored − 1, …).</summary>
    PixelLayoutUnsupported,

    /// <summary>Clean Pixel Data: the pixel data could not be decoded (corrupt codestream, fragments that do not add up).</summary>
    PixelDataUndecodable,

    /// <summary>Clean Pixel Data: decoding would exceed the memory limit.</summary>
    PixelDataTooLarge,

    /// <summary>Clean Pixel Data: detection did not finish within its time budget.</summary>
    PixelDetectionTimedOut,

    /// <summary>Clean Pixel Data detect-only: text was found in the pixels.</summary>
    BurnedInTextDetected,

    /// <summary>Clean Pixel Data: after blanking, the verification pass still found text.</summary>
    BurnedInTextRemains,

    /// <summary>
    /// A codestream in encapsulated pixel data could not be walked for metadata (APPn, COM): malformed, followed by data
    /// that is not padding, fragments that cannot be assigned to frames, or a format with metadata no walker reads
    /// (JPEG XL, video). Whatever mode, such a file is never passed.
    /// </summary>
    CodestreamMetadataUnwalkable,
}

/// <summary>
/// De-identification could not be completed, so nothing must be written. The message names tags, offsets and reason
/// codes only, never a value from the file.
/// </summary>
public sealed class DeidentificationException(DeidentificationFailure failure, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public DeidentificationFailure Failure { get; } = failure;
}

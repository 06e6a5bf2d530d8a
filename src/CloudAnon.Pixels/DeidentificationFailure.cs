namespace CloudAnon;

/// <summary>
/// Why a file was not de-identified: the one list of refusal reasons, shared by the engine (CloudAnon.Core) and the
/// pixel cleaner (CloudAnon.Pixels), which is why it lives here, in the lower of the two, in the root namespace both
/// see. The pipeline quarantines a refused file under the reason's name.
/// </summary>
public enum DeidentificationFailure
{
    AlreadyDeidentified,
    MissingRequiredAttribute,
    MissingStudyInstanceUid,
    MissingSopInstanceUid,

    /// <summary>A standard attribute encoded as UN does not parse as its dictionary VR, and its action needs the value.</summary>
    UninterpretableValue,

    /// <summary>A DICOMDIR (Media Storage Directory): an index of files, not an instance.</summary>
    MediaDirectory,

    UnsupportedContent,

    /// <summary>Policy: Burned In Annotation is YES (after Clean Pixel Data, when it ran), and such files are refused.</summary>
    BurnedInAnnotation,

    /// <summary>Policy: Burned In Annotation is absent for a modality known to burn text in, and such files are refused.</summary>
    SuspectedBurnedInAnnotation,

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
/// De-identification could not be completed, so nothing must be written. The message names tags, offsets, sizes and
/// reason codes only, never a value from the file.
/// </summary>
public sealed class DeidentificationException(DeidentificationFailure failure, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public DeidentificationFailure Failure { get; } = failure;
}

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
    bool Encrypted);

/// <summary>Why a file was not de-identified; the pipeline turns it into a quarantine reason.</summary>
public enum DeidentificationFailure
{
    NotDicom,
    Unparseable,
    AlreadyDeidentified,
    MissingRequiredAttribute,
    UnsupportedContent,
    CertificateUnavailable,
    MappingStoreUnavailable,
    EncryptionFailed,
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

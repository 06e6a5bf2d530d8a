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
    PixelCleaningResult? PixelCleaning = null);

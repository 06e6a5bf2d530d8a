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

    /// <summary>What was done, attribute by attribute, when <see cref="DeidentificationOptions.RecordAudit"/> asks for it; null otherwise.</summary>
    public Audit.AuditRecord? Audit { get; init; }

    /// <summary>Frames of encapsulated pixel data rewritten without their codestream metadata (APPn, COM) or to even length.</summary>
    public int CodestreamsStripped { get; init; }
}

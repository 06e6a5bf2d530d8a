using CloudAnon.Core;
using CloudAnon.Dicom;

namespace CloudAnon.Azure.Ingress;

/// <summary>
/// Reason codes written to quarantine metadata (<see cref="IngressMetadata.Reason"/>) and logs: fixed words, never file content.
/// Engine refusals use the <see cref="DeidentificationFailure"/> names.
/// </summary>
public static class QuarantineReasons
{
    /// <summary>The codec could not read the file: truncated or malformed DICOM.</summary>
    public const string Unparseable = nameof(Unparseable);

    /// <summary>Neither a DICM prefix nor a recognisable data set at the start: not DICOM at all (or empty).</summary>
    public const string NotDicom = nameof(NotDicom);

    /// <summary>Burned In Annotation is YES and policy refuses such files.</summary>
    public const string BurnedInAnnotation = nameof(BurnedInAnnotation);

    /// <summary>Burned In Annotation is absent for a modality known to burn text in, and policy refuses such files.</summary>
    public const string SuspectedBurnedInAnnotation = nameof(SuspectedBurnedInAnnotation);

    public static string From(DeidentificationFailure failure) => failure.ToString();

    /// <summary>The data set ends inside an element, sequence or item: the file was cut (an interrupted transfer).</summary>
    public const string Truncated = nameof(DeidentificationFailure.Truncated);

    /// <summary>The codec's "not a DICOM file" reasons (offset 0) are NotDicom, its truncation reasons Truncated; everything else it refuses is Unparseable.</summary>
    public static string FromFormatError(DicomFormatException exception) =>
        exception.Reason.StartsWith("not a DICOM file", StringComparison.Ordinal) ? NotDicom
        : exception.Reason.StartsWith("data set is truncated", StringComparison.Ordinal) || exception.Reason.StartsWith("data set ends inside", StringComparison.Ordinal) ? Truncated
        : Unparseable;
}

/// <summary>Metadata names the pipeline writes. Nothing else is written: ingress metadata is never copied.</summary>
public static class IngressMetadata
{
    /// <summary>On a quarantine blob: its reason code.</summary>
    public const string Reason = "reason";

    /// <summary>
    /// On an ingress blob that was kept after processing: <c>egress</c> or <c>quarantine</c>. Backfill (<c>cloudanon process</c>)
    /// and re-deliveries skip blobs carrying it.
    /// </summary>
    public const string Processed = "cloudanonprocessed";

    public const string ProcessedEgress = "egress";

    public const string ProcessedQuarantine = "quarantine";
}

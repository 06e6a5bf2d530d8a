namespace CloudAnon.Azure.Ingress;

/// <summary>
/// The reason codes the pipeline writes (quarantine metadata <see cref="IngressMetadata.Reason"/>, logs, metrics): fixed
/// words, never file content. A file the engine refused carries its <see cref="DeidentificationFailure"/> name instead.
/// <see cref="IngressFailure.Classify"/> is the one place that chooses among them for an exception.
/// </summary>
public static class QuarantineReasons
{
    /// <summary>Neither a DICM prefix nor a recognisable data set at the start: not DICOM at all (or empty).</summary>
    public const string NotDicom = nameof(NotDicom);

    /// <summary>The data set ends inside an element, sequence or item: the file was cut (an interrupted transfer).</summary>
    public const string Truncated = nameof(Truncated);

    /// <summary>Anything else the codec could not read: malformed DICOM, a length beyond the data, a limit exceeded.</summary>
    public const string Unparseable = nameof(Unparseable);

    /// <summary>Burned In Annotation is YES and policy refuses such files.</summary>
    public const string BurnedInAnnotation = nameof(BurnedInAnnotation);

    /// <summary>Burned In Annotation is absent for a modality known to burn text in, and policy refuses such files.</summary>
    public const string SuspectedBurnedInAnnotation = nameof(SuspectedBurnedInAnnotation);

    /// <summary>The blob failed on every delivery the function allows; it is quarantined rather than retried for ever.</summary>
    public const string RetriesExhausted = nameof(RetriesExhausted);

    /// <summary>A storage request failed or the account could not be reached (the environment's fault: retried).</summary>
    public const string StorageUnavailable = nameof(StorageUnavailable);

    /// <summary>An exception the pipeline does not know (retried, as the environment's).</summary>
    public const string Unexpected = nameof(Unexpected);

    /// <summary>The reason code of an engine refusal: its name.</summary>
    public static string From(DeidentificationFailure failure) => failure.ToString();
}

namespace CloudAnon.Azure.Ingress;

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

    /// <summary>On an ingress blob whose deliveries failed: how many so far, counted by <see cref="RetryBudget"/>.</summary>
    public const string Failures = "cloudanonfailures";
}

namespace CloudAnon.Functions;

/// <summary>
/// The app settings the function reads: the names of local.settings.sample.json's "Values" (apart from the Functions
/// host's own AzureWebJobsStorage and FUNCTIONS_WORKER_RUNTIME) and of the app settings in infra/app/function.bicep.
/// docs/functions.md explains each.
/// </summary>
public static class SettingNames
{
    /// <summary>The data account: a connection string, or the identity-based section (Storage__blobServiceUri …).</summary>
    public const string Storage = "Storage";

    public const string IngressContainer = "IngressContainer";
    public const string EgressContainer = "EgressContainer";
    public const string QuarantineContainer = "QuarantineContainer";
    public const string MappingTable = "MappingTable";

    /// <summary>The audit table (default <c>audit</c>) and the container of records too large for a row (default <c>audit</c>).</summary>
    public const string AuditTable = "AuditTable";
    public const string AuditContainer = "AuditContainer";

    /// <summary>The Storage Queue of quiet-study messages (default <c>study-complete</c>).</summary>
    public const string StudyCompleteQueue = "StudyCompleteQueue";

    /// <summary>Seconds without a new record after which a study is quiet (default 600).</summary>
    public const string StudyQuietSeconds = "StudyQuietSeconds";

    /// <summary>Seconds a writer waits before stamping a study in the audit index again (default 30; 0: with every record).</summary>
    public const string StudyStampSeconds = "StudyStampSeconds";

    /// <summary>When the quiet-study scan runs: the timer's NCRONTAB schedule (e.g. <c>0 */1 * * * *</c>, every minute), read by the host.</summary>
    public const string StudyScanSchedule = "StudyScanSchedule";

    /// <summary>The Storage Queue <c>cloudanon backfill</c> fills and <see cref="DeidentifyBackfillBlob"/> drains.</summary>
    public const string BackfillQueue = "BackfillQueue";
    public const string KeyVaultUri = "KeyVaultUri";
    public const string CertificateName = "CertificateName";
    public const string CertificatePath = "CertificatePath";
    public const string MappingKeySecretName = "MappingKeySecretName";
    public const string MappingKey = "MappingKey";
    public const string ProfileOptions = "ProfileOptions";
    public const string RootUid = "RootUid";
    public const string ContentCipher = "ContentCipher";
    public const string Irreversible = "Irreversible";
    public const string AfterSuccess = "AfterSuccess";
    public const string QuarantineBurnedInAnnotation = "QuarantineBurnedInAnnotation";

    /// <summary>true: quarantine inputs that already carry de-identification marks; default false: de-identify them again (reversibly nested).</summary>
    public const string QuarantineAlreadyDeidentified = "QuarantineAlreadyDeidentified";

    /// <summary>Application Insights; telemetry is exported to Azure Monitor only when it is set.</summary>
    public const string ApplicationInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>Keys of the identity-based <see cref="Storage"/> section.</summary>
    public static class StorageKeys
    {
        public const string BlobServiceUri = "blobServiceUri";
        public const string TableServiceUri = "tableServiceUri";
        public const string QueueServiceUri = "queueServiceUri";
        public const string Credential = "credential";
        public const string ClientId = "clientId";
    }
}

using System.Collections.ObjectModel;
using Azure;
using CloudAnon.Core;
using CloudAnon.Core.Mapping;
using CloudAnon.Dicom;

namespace CloudAnon.Azure.Ingress;

/// <summary>
/// What a failure while processing a blob means: its reason code (<see cref="QuarantineReasons"/>, or the engine's
/// refusal name) and whose fault it is. A failure of the file quarantines it; a failure of the environment (storage,
/// mapping table, Key Vault, anything unknown) is retried, since during an outage every file would otherwise land in
/// quarantine. The one classifier of failures: the processor, the function and the CLI only act on and format its answer.
/// </summary>
/// <param name="Reason">The reason code: a fixed word, never file content.</param>
/// <param name="IsEnvironmental">True when the file is not to blame, so it must be retried rather than quarantined.</param>
public readonly record struct IngressFailure(string Reason, bool IsEnvironmental)
{
    /// <summary>Decided by exception type and the kind or reason it carries, never by message text.</summary>
    public static IngressFailure Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            DicomFormatException format => OfFile(format.Kind switch
            {
                DicomFormatErrorKind.NotDicom => QuarantineReasons.NotDicom,
                DicomFormatErrorKind.Truncated => QuarantineReasons.Truncated,
                _ => QuarantineReasons.Unparseable,
            }),
            DeidentificationException refused => new(QuarantineReasons.From(refused.Failure), IsEnvironmentalRefusal(refused.Failure)),
            CertificateUnavailableException => OfEnvironment(QuarantineReasons.From(DeidentificationFailure.CertificateUnavailable)),
            MappingStoreException => OfEnvironment(QuarantineReasons.From(DeidentificationFailure.MappingStoreUnavailable)),
            _ when IsTransportFailure(exception) => OfEnvironment(QuarantineReasons.StorageUnavailable),
            _ => OfEnvironment(QuarantineReasons.Unexpected),
        };
    }

    /// <summary>
    /// A storage request that failed or never got an answer: the service's error, a connection failure, or the attempts
    /// after which the Azure SDK's retry policy gave up (<see cref="RetriesExhausted"/>).
    /// </summary>
    public static bool IsTransportFailure(Exception exception) =>
        exception is RequestFailedException or HttpRequestException || RetriesExhausted(exception) is not null;

    /// <summary>
    /// The failed attempts when the Azure SDK's retry policy gave up on transport failures (timeouts, refused connections),
    /// which it reports as an AggregateException of every attempt; null for any other exception. The one place that
    /// reads that shape: adapters translate it and the CLI words it through this.
    /// </summary>
    public static ReadOnlyCollection<Exception>? RetriesExhausted(Exception exception) =>
        exception is AggregateException retries ? retries.InnerExceptions : null;

    private static bool IsEnvironmentalRefusal(DeidentificationFailure failure) =>
        failure is DeidentificationFailure.CertificateUnavailable or DeidentificationFailure.MappingStoreUnavailable;

    private static IngressFailure OfFile(string reason) => new(reason, IsEnvironmental: false);

    private static IngressFailure OfEnvironment(string reason) => new(reason, IsEnvironmental: true);
}

using Azure;
using CloudAnon.Core;
using CloudAnon.Core.Mapping;

namespace CloudAnon.Functions;

/// <summary>Reason codes and log text for a failed delivery: fixed words and CloudAnon's own (PHI-free) messages only.</summary>
public static class FailureReasons
{
    public const string RetriesExhausted = nameof(RetriesExhausted);
    public const string StorageUnavailable = nameof(StorageUnavailable);
    public const string Unexpected = nameof(Unexpected);

    public static string Of(Exception exception) => exception switch
    {
        DeidentificationException refused => refused.Failure.ToString(),
        CertificateUnavailableException => nameof(DeidentificationFailure.CertificateUnavailable),
        MappingStoreException => nameof(DeidentificationFailure.MappingStoreUnavailable),
        // The SDK's retry policy ends transport failures with an AggregateException of the attempts.
        RequestFailedException or AggregateException or HttpRequestException => StorageUnavailable,
        _ => Unexpected,
    };

    /// <summary>
    /// The exception chain as text: messages of CloudAnon's exceptions (written without PHI) and only the type names of
    /// others, whose messages (Azure SDK requests, I/O paths) may name the blob.
    /// </summary>
    public static string Describe(Exception exception)
    {
        var parts = new List<string>();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            var type = current.GetType();
            parts.Add(type.Namespace?.StartsWith("CloudAnon", StringComparison.Ordinal) == true ? current.Message : type.Name);
        }

        return string.Join(" <- ", parts);
    }
}

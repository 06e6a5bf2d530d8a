using System.Net.Http;
using System.Text.RegularExpressions;
using Azure;
using Azure.Identity;
using CloudAnon.Azure.Ingress;
using CloudAnon.Core;
using CloudAnon.Core.Mapping;
using CloudAnon.Pixels.Detection;

namespace CloudAnon.Cli.Cloud;

/// <summary>
/// Says what failed in terms of the endpoint and its answer — never an SDK message, which quotes request URLs and so blob
/// names — and remembers the first fault of a run, which stops it from starting more files.
/// </summary>
internal sealed partial class CloudFaults(StorageTarget storage)
{
    private string? _first;

    /// <summary>The first fault recorded, or null while the run is healthy.</summary>
    public string? First => Volatile.Read(ref _first);

    public void Record(string fault) => Interlocked.CompareExchange(ref _first, fault, null);

    /// <summary>
    /// The fault as text; null for cancellation, which is not a fault and must propagate. Whether it is the storage
    /// account's is <see cref="IngressFailure"/>'s answer; this only words it.
    /// </summary>
    public string? Describe(Exception exception) => exception switch
    {
        OperationCanceledException => null,
        CloudSetupException or CertificateUnavailableException or TextDetectorUnavailableException => exception.Message,
        AuthenticationFailedException a => SignInFailed(a),
        MappingStoreException m => $"the table endpoint {storage.Tables.Uri} failed: {m.Message}",
        DeidentificationException { InnerException: { } inner } d when Describe(inner) is { } cause => $"{d.Failure}: {cause}",
        DeidentificationException d => $"{d.Failure}: {d.Message}",
        _ when IngressFailure.Classify(exception).Reason == QuarantineReasons.StorageUnavailable => BlobEndpointFailed(exception),
        _ => $"unexpected {exception.GetType().Name}",
    };

    private string BlobEndpointFailed(Exception exception) => exception switch
    {
        RequestFailedException { Status: 0 } r => $"the blob endpoint {storage.Blobs.Uri} could not be reached ({r.ErrorCode ?? "no answer"})",
        RequestFailedException r => $"the blob endpoint {storage.Blobs.Uri} answered status {r.Status} ({r.ErrorCode ?? "no error code"})",
        _ when IngressFailure.RetriesExhausted(exception) is { } attempts =>
            $"the blob endpoint {storage.Blobs.Uri} could not be reached after {attempts.Count} attempts ({Transport(attempts)})",
        HttpRequestException h => $"the blob endpoint {storage.Blobs.Uri} could not be reached ({h.HttpRequestError})",
        _ => $"the blob endpoint {storage.Blobs.Uri} failed ({exception.GetType().Name})",
    };

    /// <summary>
    /// DefaultAzureCredential's message lists why each credential it tried could not sign in (missing variables, no
    /// managed identity endpoint, the Azure CLI's own error); it holds no request URL.
    /// </summary>
    private static string SignInFailed(AuthenticationFailedException exception)
    {
        var lines = exception.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var reasons = lines.Where(line => line.StartsWith("- ", StringComparison.Ordinal))
            .Select(line => TroubleshootingLink().Replace(line[2..], "").Trim())
            .DefaultIfEmpty(lines.FirstOrDefault() ?? "");
        return "signing in with Entra ID failed (DefaultAzureCredential: environment, workload or managed identity, Azure CLI; " +
               $"on a workstation run `az login`): {string.Join(" | ", reasons)}";
    }

    [GeneratedRegex(@"See the troubleshooting guide for more information\. https://\S+\s*")]
    private static partial Regex TroubleshootingLink();

    private static string Transport(IReadOnlyList<Exception> attempts) =>
        attempts.LastOrDefault() switch
        {
            HttpRequestException h => h.HttpRequestError.ToString(),
            TaskCanceledException => "timed out",
            { } other => other.GetType().Name,
            null => "no detail",
        };
}

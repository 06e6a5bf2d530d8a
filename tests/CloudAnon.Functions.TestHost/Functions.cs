using System.Text.Json;
using Azure.Storage.Blobs.Models;
using CloudAnon.Functions.TestHost.Worker;
using Google.Protobuf;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

// Namespace and class as the Functions host generates them for the worker's functions, so the webhook's functionName
// is the one infra/ subscribes: Host.Functions.DeidentifyIngressBlob.
namespace Host;

/// <summary>
/// The WebJobs functions of the host: one method per worker function, carrying the trigger the worker's metadata declares
/// and forwarding each invocation to the worker. Partial: a new trigger (a queue trigger, say) is one more file with one
/// method here; <see cref="CloudAnon.Functions.TestHost.FunctionHostOptions.ConfigureWebJobs"/> adds its extension.
/// </summary>
public sealed partial class Functions(WorkerChannel worker)
{
    /// <summary>
    /// CloudAnon's DeidentifyIngressBlob trigger: an Event Grid blob trigger on <c>%IngressContainer%/{name}</c> with
    /// connection <c>Storage</c>. The extension fills <paramref name="blob"/> with the deferred-binding reference the
    /// Functions host forwards as ModelBindingData; a failure in the worker throws, so the extension's retries and poison queue apply.
    /// </summary>
    public Task DeidentifyIngressBlob(
        [BlobTrigger("%IngressContainer%/{name}", Source = BlobTriggerSource.EventGrid, Connection = "Storage")] ParameterBindingData blob,
        string name,
        string blobTrigger,
        Uri uri,
        BlobProperties properties,
        IDictionary<string, string> metadata,
        CancellationToken cancellationToken) =>
        worker.InvokeAsync(
            nameof(DeidentifyIngressBlob),
            ModelBindingData(blob),
            new Dictionary<string, TypedData>
            {
                ["name"] = new() { String = name },
                ["BlobTrigger"] = new() { String = blobTrigger },
                ["Uri"] = new() { String = uri.ToString() },
                ["Properties"] = new() { Json = JsonSerializer.Serialize(properties) },
                ["Metadata"] = new() { Json = JsonSerializer.Serialize(metadata) },
            },
            cancellationToken);

    /// <summary>The SDK-type binding reference as the worker protocol carries it.</summary>
    private static TypedData ModelBindingData(ParameterBindingData data) => new()
    {
        ModelBindingData = new ModelBindingData
        {
            Version = data.Version,
            Source = data.Source,
            ContentType = data.ContentType,
            Content = ByteString.CopyFrom(data.Content.ToMemory().Span),
        },
    };
}

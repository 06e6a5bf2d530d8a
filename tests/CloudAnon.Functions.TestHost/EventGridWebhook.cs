using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Host.Config;

namespace CloudAnon.Functions.TestHost;

/// <summary>
/// The blob extension's Event Grid webhook. At start-up the extension asks the host's <see cref="IWebHookProvider"/> for
/// its URL and hands over itself, an <see cref="IAsyncConverter{HttpRequestMessage, HttpResponseMessage}"/>: the handler
/// the Functions host mounts at <c>/runtime/webhooks/blobs</c>. This class keeps it and posts Event Grid requests to it.
/// </summary>
#pragma warning disable CS0618 // IWebHookProvider is marked "not ready for public consumption"; it is how the Functions host receives the handler.
public sealed class EventGridWebhook : IWebHookProvider
#pragma warning restore CS0618
{
    private static readonly Uri BaseUri = new("http://127.0.0.1/runtime/webhooks/blobs");

    private IAsyncConverter<HttpRequestMessage, HttpResponseMessage>? _handler;

    public Uri GetUrl(IExtensionConfigProvider extension)
    {
        _handler = extension as IAsyncConverter<HttpRequestMessage, HttpResponseMessage>
            ?? throw new InvalidOperationException($"{extension.GetType().Name} asked for a webhook but handles no HTTP requests.");
        return BaseUri;
    }

    /// <summary>
    /// Posts a <c>Microsoft.Storage.BlobCreated</c> event for <paramref name="blob"/> (as Event Grid does after a Put Blob)
    /// to the webhook of WebJobs function <paramref name="functionName"/> (Namespace.Class.Method); returns the status.
    /// </summary>
    public async Task<HttpStatusCode> PostBlobCreatedAsync(string functionName, BlobClient blob, CancellationToken cancellationToken = default)
    {
        var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        var blobCreated = new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(),
            ["topic"] = $"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Storage/storageAccounts/{blob.AccountName}",
            ["subject"] = $"/blobServices/default/containers/{blob.BlobContainerName}/blobs/{blob.Name}",
            ["eventType"] = "Microsoft.Storage.BlobCreated",
            ["eventTime"] = DateTimeOffset.UtcNow.ToString("O"),
            ["dataVersion"] = "",
            ["metadataVersion"] = "1",
            ["data"] = new JsonObject
            {
                ["api"] = "PutBlob",
                ["clientRequestId"] = Guid.NewGuid().ToString(),
                ["requestId"] = Guid.NewGuid().ToString(),
                ["eTag"] = properties.ETag.ToString(),
                ["contentType"] = properties.ContentType,
                ["contentLength"] = properties.ContentLength,
                ["blobType"] = "BlockBlob",
                ["url"] = blob.Uri.ToString(),
                ["sequencer"] = "0000000000000000000000000000000000000000000000000000000000000000",
            },
        };
        using var response = await SendAsync(functionName, "Notification", new JsonArray(blobCreated), cancellationToken).ConfigureAwait(false);
        return response.StatusCode;
    }

    /// <summary>The SubscriptionValidation handshake Event Grid runs when a subscription is created; returns the response's validationResponse.</summary>
    public async Task<string?> ValidateSubscriptionAsync(string functionName, string validationCode, CancellationToken cancellationToken = default)
    {
        var validation = new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(),
            ["eventType"] = "Microsoft.EventGrid.SubscriptionValidationEvent",
            ["subject"] = "",
            ["eventTime"] = DateTimeOffset.UtcNow.ToString("O"),
            ["dataVersion"] = "1",
            ["data"] = new JsonObject { ["validationCode"] = validationCode },
        };
        using var response = await SendAsync(functionName, "SubscriptionValidation", new JsonArray(validation), cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false);
        return body?["validationResponse"]?.GetValue<string>();
    }

    private async Task<HttpResponseMessage> SendAsync(string functionName, string eventType, JsonArray events, CancellationToken cancellationToken)
    {
        var handler = _handler ?? throw new InvalidOperationException("The blob extension has not registered its webhook: is the host started?");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{BaseUri}?functionName={Uri.EscapeDataString(functionName)}"))
        {
            Content = JsonContent.Create(events),
        };
        request.Headers.Add("aeg-event-type", eventType);
        return await handler.ConvertAsync(request, cancellationToken).ConfigureAwait(false);
    }
}

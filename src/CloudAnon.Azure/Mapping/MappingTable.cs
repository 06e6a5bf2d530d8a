using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Data.Tables.Sas;
using CloudAnon.Azure.Ingress;
using CloudAnon.Core.Mapping;

namespace CloudAnon.Azure.Mapping;

/// <summary>
/// Creates the mapping table when it is missing. The SDK's own CreateIfNotExists serializes its request body with
/// reflection-based System.Text.Json, which Native AOT disables ("Reflection-based serialization has been disabled"), so
/// the one Create Table request is written here with a <see cref="Utf8JsonWriter"/> and sent through an Azure.Core pipeline.
/// </summary>
public static class MappingTable
{
    private const string StorageScope = "https://storage.azure.com/.default";

    /// <summary>
    /// Looks the table up (one request; enough on a deployed account, where infra/ created it) and creates it when absent.
    /// </summary>
    /// <param name="service">The table service, from a connection string or an endpoint with <paramref name="credential"/>.</param>
    /// <param name="credential">The Entra ID credential of an endpoint-based <paramref name="service"/>; null for a connection
    /// string, whose shared key then signs a short-lived account SAS for the create request.</param>
    /// <exception cref="MappingStoreException">The service refused or could not be reached; the message names the endpoint and status.</exception>
    public static async Task CreateIfNotExistsAsync(
        TableServiceClient service, string tableName, TokenCredential? credential, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentException.ThrowIfNullOrEmpty(tableName);
        try
        {
            await foreach (var _ in service.QueryAsync(TableClient.CreateQueryFilter($"TableName eq {tableName}"), 1, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            await SendCreateAsync(service, tableName, credential, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception)
        {
            throw new MappingStoreException(
                $"Creating the table '{tableName}' at {service.Uri.Authority} failed with status {exception.Status} " +
                $"({exception.ErrorCode ?? "no error code"}).", exception.Status, exception);
        }
        catch (Exception exception) when (IngressFailure.RetriesExhausted(exception) is not null)
        {
            throw new MappingStoreException(
                $"The table service at {service.Uri.Authority} could not be reached after retries.", innerException: exception);
        }
    }

    private static async Task SendCreateAsync(TableServiceClient service, string tableName, TokenCredential? credential, CancellationToken cancellationToken)
    {
        HttpPipeline pipeline;
        Uri account;
        if (credential is null)
        {
            account = service.GenerateSasUri(TableAccountSasPermissions.Add | TableAccountSasPermissions.Write,
                TableAccountSasResourceTypes.Service | TableAccountSasResourceTypes.Container, DateTimeOffset.UtcNow.AddMinutes(5));
            pipeline = HttpPipelineBuilder.Build(TableMappingStore.CreateClientOptions());
        }
        else
        {
            account = service.Uri;
            pipeline = HttpPipelineBuilder.Build(TableMappingStore.CreateClientOptions(), new BearerTokenAuthenticationPolicy(credential, StorageScope));
        }

        // Path-style endpoints (Azurite: http://host:port/account) keep their path; the SAS stays in the query.
        var endpoint = new RequestUriBuilder();
        endpoint.Reset(new UriBuilder(account) { Path = account.AbsolutePath.TrimEnd('/') + "/Tables" }.Uri);
        using var message = pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Post;
        request.Uri = endpoint;
        request.Headers.Add("Accept", "application/json;odata=nometadata");
        request.Headers.Add("Content-Type", "application/json;odata=nometadata");
        request.Headers.Add("Prefer", "return-no-content");
        request.Headers.Add("DataServiceVersion", "3.0");
        request.Headers.Add("x-ms-version", "2019-02-02");
        using var body = new MemoryStream();
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteString("TableName", tableName);
            writer.WriteEndObject();
        }

        request.Content = RequestContent.Create(body.ToArray());
        await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status is not (201 or 204 or 409))
        {
            throw new RequestFailedException(message.Response);
        }
    }
}

using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace CloudAnon.TestSupport;

/// <summary>
/// A running Azurite (Azure Storage emulator) and clients on it. Every helper makes uniquely named tables and containers,
/// so tests can share one emulator without seeing each other's data.
/// </summary>
public sealed class AzuriteInstance
{
    /// <summary>Azurite's well-known development account; its key is public (documented by Microsoft), not a secret.</summary>
    public const string AccountName = "devstoreaccount1";

    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    internal AzuriteInstance(int blobPort, int queuePort, int tablePort, int? processId, X509Certificate2? tlsCertificate = null)
    {
        TlsCertificate = tlsCertificate;
        var scheme = tlsCertificate is null ? "http" : "https";
        BlobEndpoint = Endpoint(scheme, blobPort);
        QueueEndpoint = Endpoint(scheme, queuePort);
        TableEndpoint = Endpoint(scheme, tablePort);
        ProcessId = processId;
        ConnectionString =
            $"DefaultEndpointsProtocol={scheme};AccountName={AccountName};AccountKey={AccountKey};" +
            $"BlobEndpoint={BlobEndpoint};QueueEndpoint={QueueEndpoint};TableEndpoint={TableEndpoint};";
    }

    public Uri BlobEndpoint { get; }

    public Uri QueueEndpoint { get; }

    public Uri TableEndpoint { get; }

    /// <summary>A connection string with explicit endpoints (the ports may not be Azurite's defaults).</summary>
    public string ConnectionString { get; }

    /// <summary>The emulator's node process when the fixture started it (and stops it at process exit); null when it reused one on the default ports.</summary>
    public int? ProcessId { get; }

    /// <summary>
    /// The self-signed TLS certificate of an emulator started with <see cref="AzuriteFixture.EnsureSecureStartedAsync"/>
    /// (HTTPS and Entra ID tokens); null for the plain HTTP one. This instance's clients trust exactly it.
    /// </summary>
    public X509Certificate2? TlsCertificate { get; }

    public BlobServiceClient CreateBlobServiceClient(BlobClientOptions? options = null) =>
        new(ConnectionString, Trusting(options ?? new BlobClientOptions()));

    public TableServiceClient CreateTableServiceClient(TableClientOptions? options = null) =>
        new(ConnectionString, Trusting(options ?? new TableClientOptions()));

    /// <summary>
    /// An access token of the shape Azurite's <c>--oauth basic</c> accepts: a JWT whose issuer starts with
    /// https://sts.windows.net/, audience https://storage.azure.com, valid now (iat, nbf, exp). Azurite does not check the
    /// signature, so it carries none that would verify; Azure would refuse it.
    /// </summary>
    /// <param name="audience">Another audience makes a token Azurite refuses (403, "Invalid token audience").</param>
    public static string CreateStorageAccessToken(string audience = "https://storage.azure.com")
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = new Dictionary<string, object>
        {
            ["aud"] = audience,
            ["iss"] = "https://sts.windows.net/00000000-0000-0000-0000-000000000000/",
            ["iat"] = now - 60,
            ["nbf"] = now - 60,
            ["exp"] = now + 3600,
            ["oid"] = Guid.NewGuid().ToString(),
        };
        return $"{Base64Url("""{"alg":"RS256","typ":"JWT"}""")}.{Base64Url(JsonSerializer.Serialize(payload))}.{Base64Url("unsigned")}";
    }

    private static string Base64Url(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Makes <paramref name="options"/> trust this instance's TLS certificate (a no-op for plain HTTP), for clients of other services.</summary>
    public TOptions Trusting<TOptions>(TOptions options) where TOptions : ClientOptions
    {
        if (TlsCertificate is { } trusted)
        {
            var raw = trusted.RawData;
            options.Transport = new HttpClientTransport(new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented is not null && presented.RawData.AsSpan().SequenceEqual(raw),
            });
        }

        return options;
    }

    /// <summary>A client for a table with a fresh unique name that does not exist yet.</summary>
    public TableClient GetNewTableClient(string prefix = "test", TableClientOptions? options = null) =>
        new(ConnectionString, NewTableName(prefix), Trusting(options ?? new TableClientOptions()));

    /// <summary>Creates a table with a fresh unique name.</summary>
    public async Task<TableClient> CreateTableAsync(
        string prefix = "test", TableClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        var table = GetNewTableClient(prefix, options);
        await table.CreateAsync(cancellationToken).ConfigureAwait(false);
        return table;
    }

    /// <summary>Creates a blob container with a fresh unique name.</summary>
    public async Task<BlobContainerClient> CreateBlobContainerAsync(
        string prefix = "test", BlobClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        var container = CreateBlobServiceClient(options).GetBlobContainerClient(NewContainerName(prefix));
        await container.CreateAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return container;
    }

    /// <summary>Table names: letters and digits, starting with a letter, 3 to 63 characters.</summary>
    public static string NewTableName(string prefix = "test") =>
        UniqueName(new string(prefix.Where(char.IsAsciiLetterOrDigit).ToArray()), separator: "");

    /// <summary>Container names: lower-case letters, digits and single hyphens, 3 to 63 characters.</summary>
    public static string NewContainerName(string prefix = "test") =>
        UniqueName(new string(prefix.ToLowerInvariant().Where(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)).ToArray()), separator: "-");

    private static string UniqueName(string cleanPrefix, string separator)
    {
        var start = cleanPrefix.Length > 0 && char.IsAsciiLetter(cleanPrefix[0]) ? cleanPrefix : "t" + cleanPrefix;
        var name = start[..Math.Min(start.Length, 24)] + separator + Guid.NewGuid().ToString("N");
        return name[..Math.Min(name.Length, 63)];
    }

    private static Uri Endpoint(string scheme, int port) => new($"{scheme}://127.0.0.1:{port}/{AccountName}");
}

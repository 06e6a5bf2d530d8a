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

    internal AzuriteInstance(int blobPort, int queuePort, int tablePort, bool startedByFixture)
    {
        BlobEndpoint = Endpoint(blobPort);
        QueueEndpoint = Endpoint(queuePort);
        TableEndpoint = Endpoint(tablePort);
        StartedByFixture = startedByFixture;
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
            $"BlobEndpoint={BlobEndpoint};QueueEndpoint={QueueEndpoint};TableEndpoint={TableEndpoint};";
    }

    public Uri BlobEndpoint { get; }

    public Uri QueueEndpoint { get; }

    public Uri TableEndpoint { get; }

    /// <summary>A connection string with explicit endpoints (the ports may not be Azurite's defaults).</summary>
    public string ConnectionString { get; }

    /// <summary>True when the fixture started this emulator (and stops it at process exit); false when it reused one on the default ports.</summary>
    public bool StartedByFixture { get; }

    public BlobServiceClient CreateBlobServiceClient(BlobClientOptions? options = null) =>
        new(ConnectionString, options ?? new BlobClientOptions());

    public TableServiceClient CreateTableServiceClient(TableClientOptions? options = null) =>
        new(ConnectionString, options ?? new TableClientOptions());

    /// <summary>A client for a table with a fresh unique name that does not exist yet.</summary>
    public TableClient GetNewTableClient(string prefix = "test", TableClientOptions? options = null) =>
        new(ConnectionString, NewTableName(prefix), options ?? new TableClientOptions());

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

    private static Uri Endpoint(int port) => new($"http://127.0.0.1:{port}/{AccountName}");
}

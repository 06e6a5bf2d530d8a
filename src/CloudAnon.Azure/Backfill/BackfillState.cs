using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;

namespace CloudAnon.Azure.Backfill;

/// <summary>
/// Where a backfill of one container and prefix stopped: the listing's continuation marker after the last page whose
/// messages were all sent, kept as one row of the mapping table. A marker encodes a blob name (PHI-prone), so the row
/// holds it encrypted (AES-GCM under a key derived from the mapping key) and is keyed by a hash of container and prefix:
/// like every other row of the table, it names nothing in plaintext.
/// </summary>
public sealed class BackfillState
{
    public const string PartitionKey = "backfill";

    private readonly TableClient _table;
    private readonly byte[] _key;
    private readonly string _rowKey;

    public BackfillState(TableClient table, byte[] mappingKey, string container, string? prefix)
    {
        _table = table;
        _key = HMACSHA256.HashData(mappingKey, Encoding.UTF8.GetBytes("cloudanon/backfill-state"));
        _rowKey = Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(container + "\n" + (prefix ?? ""))));
    }

    /// <summary>What the last run saved: the marker to continue from (null: from the start), messages sent so far, and whether it finished.</summary>
    public sealed record Saved(string? Marker, long Enqueued, bool Completed);

    public async Task<Saved?> LoadAsync(CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(PartitionKey, _rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!row.HasValue || row.Value is not { } entity) return null;
        var marker = entity.GetString("Marker") is { Length: > 0 } sealedMarker ? Open(sealedMarker) : null;
        return new Saved(marker, entity.GetInt64("Enqueued") ?? 0, entity.GetBoolean("Completed") ?? false);
    }

    public async Task SaveAsync(Saved state, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(PartitionKey, _rowKey)
        {
            ["Marker"] = state.Marker is null ? "" : Seal(state.Marker),
            ["Enqueued"] = state.Enqueued,
            ["Completed"] = state.Completed,
            ["UpdatedAt"] = DateTimeOffset.UtcNow,
        };
        await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    private string Seal(string marker)
    {
        var plain = Encoding.UTF8.GetBytes(marker);
        var sealedBytes = new byte[AesGcm.NonceByteSizes.MaxSize + plain.Length + AesGcm.TagByteSizes.MaxSize];
        var nonce = sealedBytes.AsSpan(0, AesGcm.NonceByteSizes.MaxSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, AesGcm.TagByteSizes.MaxSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(nonce.Length, plain.Length), sealedBytes.AsSpan(nonce.Length + plain.Length), Encoding.UTF8.GetBytes(_rowKey));
        return Convert.ToBase64String(sealedBytes);
    }

    private string Open(string sealedMarker)
    {
        var sealedBytes = Convert.FromBase64String(sealedMarker);
        int nonceLength = AesGcm.NonceByteSizes.MaxSize, tagLength = AesGcm.TagByteSizes.MaxSize;
        var plain = new byte[sealedBytes.Length - nonceLength - tagLength];
        using var aes = new AesGcm(_key, tagLength);
        try
        {
            aes.Decrypt(sealedBytes.AsSpan(0, nonceLength), sealedBytes.AsSpan(nonceLength, plain.Length),
                sealedBytes.AsSpan(nonceLength + plain.Length), plain, Encoding.UTF8.GetBytes(_rowKey));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new CloudAnon.Core.Mapping.MappingStoreException("The saved backfill position was written with another mapping key; start over with --restart.");
        }

        return Encoding.UTF8.GetString(plain);
    }
}

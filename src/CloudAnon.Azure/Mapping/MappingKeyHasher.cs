using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using CloudAnon.Core;

namespace CloudAnon.Azure.Mapping;

/// <summary>
/// Derives table keys from originals with HMAC-SHA256 under a secret key, so a row names no original and keys can't be
/// recomputed from a guessed original without the key. Partition keys are prefixed by scope ("s-" study, "p-" patient) so
/// the two kinds of partition never collide; row keys hash the partition key too, so equal originals in two partitions
/// can't be linked.
/// </summary>
internal sealed class MappingKeyHasher
{
    private readonly byte[] _key;

    public MappingKeyHasher(ReadOnlySpan<byte> key) => _key = key.ToArray();

    /// <summary>The partition key of a study's mapping rows; the audit table partitions its records by the same hash of the de-identified study.</summary>
    public string StudyPartition(string studyInstanceUid) => Partition("s-", "study", studyInstanceUid);

    public EntityKey Hash(in MappingRequest request)
    {
        var (scopePrefix, scopeName) = request.Scope switch
        {
            MappingScope.Study => ("s-", "study"),
            MappingScope.Patient => ("p-", "patient"),
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Scope, "Unknown mapping scope."),
        };
        var (kindPrefix, kindName) = request.Kind switch
        {
            MappingKind.Uid => ("u-", "uid"),
            MappingKind.Pseudonym => ("n-", "pseudonym"),
            MappingKind.DateOffset => ("d-", "date-offset"),
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Kind, "Unknown mapping kind."),
        };

        var partitionKey = Partition(scopePrefix, scopeName, request.ScopeKey);
        var rowKey = kindPrefix + HashFields("row", partitionKey, kindName, request.Original);
        return new EntityKey(partitionKey, rowKey);
    }

    private string Partition(string scopePrefix, string scopeName, string scopeKey) => scopePrefix + HashFields("partition", scopeName, scopeKey);

    /// <summary>HMAC over length-prefixed UTF-8 fields (unambiguous whatever the fields contain), base64url without padding.</summary>
    private string HashFields(params ReadOnlySpan<string> fields)
    {
        var length = 0;
        foreach (var field in fields)
        {
            length += sizeof(int) + Encoding.UTF8.GetByteCount(field);
        }

        var input = new byte[length];
        var offset = 0;
        foreach (var field in fields)
        {
            var written = Encoding.UTF8.GetBytes(field, input.AsSpan(offset + sizeof(int)));
            BinaryPrimitives.WriteInt32BigEndian(input.AsSpan(offset), written);
            offset += sizeof(int) + written;
        }

        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, input, hash);
        CryptographicOperations.ZeroMemory(input);
        return Base64Url.EncodeToString(hash);
    }
}

/// <summary>The primary key of a mapping row.</summary>
internal readonly record struct EntityKey(string PartitionKey, string RowKey);

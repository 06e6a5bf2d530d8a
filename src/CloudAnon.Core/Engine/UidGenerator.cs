using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace CloudAnon.Core.Engine;

/// <summary>
/// Replacement UIDs derived from the original with a keyed hash: 2.25.&lt;128-bit integer&gt; (PS3.5 B.2), or those
/// digits under a configured root. Every process, study and day that shares the key proposes the same replacement for
/// the same original, so a UID shared by two studies (a Frame of Reference of a PET and a CT, a prior study
/// referenced by a later one) gets one replacement whichever arrives first; without the key the original cannot be
/// found from the replacement.
/// </summary>
internal sealed class UidGenerator
{
    private const int MaxUidLength = 64;
    private static readonly byte[] DerivationLabel = Encoding.ASCII.GetBytes("CloudAnon UID replacement v1");

    private readonly byte[] _key;
    private readonly string? _root;

    /// <param name="replacementKey">The deployment's secret (the mapping key); its own subkey is derived for UIDs.</param>
    public UidGenerator(ReadOnlySpan<byte> replacementKey, string? root)
    {
        _key = HKDF.Expand(HashAlgorithmName.SHA256, HKDF.Extract(HashAlgorithmName.SHA256, replacementKey.ToArray()), 32, DerivationLabel);
        _root = root;
    }

    public string Replacement(string original)
    {
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(original), hash);
        string digits = new BigInteger(hash[..16], isUnsigned: true).ToString(CultureInfo.InvariantCulture);
        if (_root is null) return "2.25." + digits;
        // A component must not start with 0; the digits are trimmed to fit 64 characters.
        string suffix = digits[..Math.Min(digits.Length, MaxUidLength - _root.Length - 1)].TrimStart('0');
        return _root + "." + (suffix.Length == 0 ? "1" : suffix);
    }

    /// <summary>UIDs defined by the standard (SOP classes, transfer syntaxes, coding schemes, …) identify no one and are never replaced.</summary>
    public static bool IsWellKnown(string uid) => uid.StartsWith("1.2.840.10008.", StringComparison.Ordinal);
}

namespace CloudAnon.Core.Crypto;

/// <summary>
/// Symmetric cipher that encrypts the original attributes inside the CMS EnvelopedData, as gdcmanon's
/// <c>--aes128 --aes192 --aes256 --des3</c>. The zero value is gdcmanon's default, AES-256-CBC.
/// </summary>
public enum ContentCipher
{
    Aes256Cbc = 0,
    Aes128Cbc,
    Aes192Cbc,
    TripleDesCbc,
}

/// <summary>Names and algorithm identifiers of <see cref="ContentCipher"/> values.</summary>
public static class ContentCiphers
{
    public const ContentCipher Default = ContentCipher.Aes256Cbc;

    private const string SingleDesName = "des";
    private const string SingleDesRefusal =
        "Single DES (gdcmanon --des) is refused: its 56-bit key is insecure. Use aes256 (the default), aes192, aes128 or des3.";

    /// <summary>Parses gdcmanon's cipher option names (<c>aes128</c>, <c>aes192</c>, <c>aes256</c>, <c>des3</c>), without dashes.</summary>
    /// <exception cref="ArgumentException">The name is unknown, or is <c>des</c> (single DES, refused).</exception>
    public static ContentCipher Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (TryParse(name, out ContentCipher cipher))
        {
            return cipher;
        }

        string message = string.Equals(name, SingleDesName, StringComparison.OrdinalIgnoreCase)
            ? SingleDesRefusal
            : "Unknown cipher name. Expected one of: aes128, aes192, aes256, des3.";
        throw new ArgumentException(message, nameof(name));
    }

    /// <summary>Like <see cref="Parse"/>, but returns false for an unknown name and for <c>des</c>.</summary>
    public static bool TryParse(string? name, out ContentCipher cipher)
    {
        foreach (ContentCipher candidate in Enum.GetValues<ContentCipher>())
        {
            if (string.Equals(name, GetGdcmanonName(candidate), StringComparison.OrdinalIgnoreCase))
            {
                cipher = candidate;
                return true;
            }
        }

        cipher = Default;
        return false;
    }

    /// <summary>The gdcmanon option name (without dashes) that selects <paramref name="cipher"/>.</summary>
    public static string GetGdcmanonName(ContentCipher cipher) => cipher switch
    {
        ContentCipher.Aes128Cbc => "aes128",
        ContentCipher.Aes192Cbc => "aes192",
        ContentCipher.Aes256Cbc => "aes256",
        ContentCipher.TripleDesCbc => "des3",
        _ => throw new ArgumentOutOfRangeException(nameof(cipher)),
    };

    /// <summary>The content-encryption algorithm OID written into the EnvelopedData.</summary>
    public static string GetOid(ContentCipher cipher) => cipher switch
    {
        ContentCipher.Aes128Cbc => "2.16.840.1.101.3.4.1.2",
        ContentCipher.Aes192Cbc => "2.16.840.1.101.3.4.1.22",
        ContentCipher.Aes256Cbc => "2.16.840.1.101.3.4.1.42",
        ContentCipher.TripleDesCbc => "1.2.840.113549.3.7",
        _ => throw new ArgumentOutOfRangeException(nameof(cipher)),
    };

    /// <summary>Maps a content-encryption algorithm OID back to a supported cipher; false for anything else (single DES, RC2, …).</summary>
    public static bool TryFromOid(string? oid, out ContentCipher cipher)
    {
        foreach (ContentCipher candidate in Enum.GetValues<ContentCipher>())
        {
            if (oid == GetOid(candidate))
            {
                cipher = candidate;
                return true;
            }
        }

        cipher = Default;
        return false;
    }
}

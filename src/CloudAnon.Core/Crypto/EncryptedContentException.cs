namespace CloudAnon.Core.Crypto;

/// <summary>Why Encrypted Content (0400,0520) could not be decrypted.</summary>
public enum EncryptedContentFailure
{
    /// <summary>The bytes are not a well-formed CMS EnvelopedData.</summary>
    Malformed,

    /// <summary>The content-encryption algorithm is not one of <see cref="ContentCipher"/> (for example single DES).</summary>
    UnsupportedCipher,

    /// <summary>The EnvelopedData names no recipient matching the certificate (issuer and serial number, or subject key identifier), or has no RSA key-transport recipient at all.</summary>
    NoMatchingRecipient,

    /// <summary>The key or the ciphertext is wrong: the recipient matched but decryption failed, or a key alone opened no recipient.</summary>
    DecryptionFailed,

    /// <summary>The decrypted content is not of type id-data (1.2.840.113549.1.7.1).</summary>
    UnsupportedContentType,
}

/// <summary>Decryption of Encrypted Content failed. The message is fixed per <see cref="Reason"/>; it never carries content.</summary>
public sealed class EncryptedContentException : Exception
{
    public EncryptedContentException(EncryptedContentFailure reason, Exception? innerException = null)
        : base(Describe(reason), innerException)
    {
        Reason = reason;
    }

    public EncryptedContentFailure Reason { get; }

    private static string Describe(EncryptedContentFailure reason) => reason switch
    {
        EncryptedContentFailure.Malformed => "Encrypted Content (0400,0520) is not a well-formed CMS EnvelopedData.",
        EncryptedContentFailure.UnsupportedCipher => "Encrypted Content (0400,0520) uses an unsupported content-encryption algorithm; only AES-128/192/256-CBC and 3DES-CBC are accepted.",
        EncryptedContentFailure.NoMatchingRecipient => "Encrypted Content (0400,0520) is not addressed to the given certificate, or has no RSA key-transport recipient.",
        EncryptedContentFailure.DecryptionFailed => "Encrypted Content (0400,0520) could not be decrypted: wrong private key or corrupted data.",
        EncryptedContentFailure.UnsupportedContentType => "Encrypted Content (0400,0520) does not carry id-data content.",
        _ => "Encrypted Content (0400,0520) could not be decrypted.",
    };
}

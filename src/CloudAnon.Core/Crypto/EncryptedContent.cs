using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;

namespace CloudAnon.Core.Crypto;

/// <summary>
/// The CMS layer of reversible de-identification: the value of Encrypted Content (0400,0520), a DER CMS EnvelopedData
/// with RSA key transport, laid out as gdcmanon writes it (see docs/encryption.md).
/// </summary>
public static class EncryptedContent
{
    /// <summary>id-data, the content type gdcmanon writes inside the EnvelopedData.</summary>
    public const string DataContentTypeOid = "1.2.840.113549.1.7.1";

    /// <summary>Smallest RSA key accepted for the recipient; Azure Key Vault's own minimum.</summary>
    public const int MinimumRsaKeySizeInBits = 2048;

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> (the encoded Modified Attributes Sequence) to <paramref name="recipient"/>'s
    /// RSA public key. The result is DER; the caller pads it to even length when writing it into an OB value.
    /// </summary>
    public static byte[] Encrypt(
        ReadOnlySpan<byte> plaintext,
        X509Certificate2 recipient,
        ContentCipher cipher = ContentCiphers.Default,
        KeyTransport keyTransport = KeyTransport.RsaPkcs1)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        using (RSA? publicKey = recipient.GetRSAPublicKey())
        {
            if (publicKey is null)
            {
                throw new ArgumentException("The recipient certificate must carry an RSA key: gdcmanon uses RSA key transport.", nameof(recipient));
            }

            if (publicKey.KeySize < MinimumRsaKeySizeInBits)
            {
                throw new ArgumentException("The recipient certificate's RSA key is shorter than 2048 bits.", nameof(recipient));
            }
        }

        RSAEncryptionPadding padding = keyTransport switch
        {
            KeyTransport.RsaPkcs1 => RSAEncryptionPadding.Pkcs1,
            KeyTransport.RsaOaepSha256 => RSAEncryptionPadding.OaepSHA256,
            _ => throw new ArgumentOutOfRangeException(nameof(keyTransport)),
        };

        byte[] content = plaintext.ToArray();
        try
        {
            var envelope = new EnvelopedCms(
                new ContentInfo(new Oid(DataContentTypeOid), content),
                new AlgorithmIdentifier(new Oid(ContentCiphers.GetOid(cipher))));
            envelope.Encrypt(new CmsRecipient(SubjectIdentifierType.IssuerAndSerialNumber, recipient, padding));
            return envelope.Encode();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(content);
        }
    }

    /// <summary>
    /// Decrypts the value of Encrypted Content (0400,0520) as stored, with at most one trailing 0x00 of DICOM padding.
    /// </summary>
    /// <exception cref="EncryptedContentException">Malformed data, an unsupported cipher, no recipient for this certificate, or a wrong key.</exception>
    public static byte[] Decrypt(ReadOnlySpan<byte> encryptedContent, X509Certificate2 certificateWithPrivateKey)
    {
        ArgumentNullException.ThrowIfNull(certificateWithPrivateKey);
        using RSA privateKey = certificateWithPrivateKey.GetRSAPrivateKey()
            ?? throw new ArgumentException("The certificate has no RSA private key.", nameof(certificateWithPrivateKey));

        var envelope = new EnvelopedCms();
        try
        {
            envelope.Decode(WithoutDicomPadding(encryptedContent));
        }
        catch (CryptographicException e)
        {
            throw new EncryptedContentException(EncryptedContentFailure.Malformed, e);
        }

        // Checked before any key is used, so a weak cipher is refused whatever the key.
        if (!ContentCiphers.TryFromOid(envelope.ContentEncryptionAlgorithm.Oid.Value, out _))
        {
            throw new EncryptedContentException(EncryptedContentFailure.UnsupportedCipher);
        }

        RecipientInfo recipient = FindRecipient(envelope.RecipientInfos, certificateWithPrivateKey)
            ?? throw new EncryptedContentException(EncryptedContentFailure.NoMatchingRecipient);
        try
        {
            envelope.Decrypt(recipient, privateKey);
        }
        catch (CryptographicException e)
        {
            throw new EncryptedContentException(EncryptedContentFailure.DecryptionFailed, e);
        }

        byte[] plaintext = envelope.ContentInfo.Content;
        if (envelope.ContentInfo.ContentType.Value != DataContentTypeOid)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new EncryptedContentException(EncryptedContentFailure.UnsupportedContentType);
        }

        return plaintext;
    }

    // OB values have even length: gdcmanon appends one 0x00 after an odd-length DER encoding.
    private static ReadOnlySpan<byte> WithoutDicomPadding(ReadOnlySpan<byte> value)
    {
        if (!AsnDecoder.TryReadEncodedValue(value, AsnEncodingRules.BER, out _, out _, out _, out int encodedLength))
        {
            throw new EncryptedContentException(EncryptedContentFailure.Malformed);
        }

        ReadOnlySpan<byte> trailing = value[encodedLength..];
        if (trailing.Length > 1 || (trailing.Length == 1 && trailing[0] != 0))
        {
            throw new EncryptedContentException(EncryptedContentFailure.Malformed);
        }

        return value[..encodedLength];
    }

    private static RecipientInfo? FindRecipient(RecipientInfoCollection recipients, X509Certificate2 certificate)
    {
        foreach (RecipientInfo recipient in recipients)
        {
            if (recipient.Type == RecipientInfoType.KeyTransport && Identifies(recipient.RecipientIdentifier, certificate))
            {
                return recipient;
            }
        }

        return null;
    }

    private static bool Identifies(SubjectIdentifier identifier, X509Certificate2 certificate) => identifier.Value switch
    {
        X509IssuerSerial issuerSerial =>
            issuerSerial.IssuerName == certificate.IssuerName.Name
            && string.Equals(issuerSerial.SerialNumber, certificate.SerialNumber, StringComparison.OrdinalIgnoreCase),
        string subjectKeyIdentifier when identifier.Type == SubjectIdentifierType.SubjectKeyIdentifier =>
            certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>()
                .Any(extension => string.Equals(extension.SubjectKeyIdentifier, subjectKeyIdentifier, StringComparison.OrdinalIgnoreCase)),
        _ => false,
    };
}

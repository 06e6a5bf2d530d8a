using System.Formats.Asn1;
using System.Runtime.CompilerServices;
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
        RSA publicKey = RecipientKeys.GetValue(recipient, LoadRecipientKey);
        return keyTransport switch
        {
            KeyTransport.RsaPkcs1 => EncryptPkcs1(plaintext, recipient, publicKey, cipher),
            KeyTransport.RsaOaepSha256 => EncryptWithEnvelopedCms(plaintext, recipient, cipher, RSAEncryptionPadding.OaepSHA256),
            _ => throw new ArgumentOutOfRangeException(nameof(keyTransport)),
        };
    }

    // A recipient's public key, parsed once per certificate instance (sources hand out the same instance until rotation).
    private static readonly ConditionalWeakTable<X509Certificate2, RSA> RecipientKeys = new();

    private static RSA LoadRecipientKey(X509Certificate2 recipient)
    {
        RSA publicKey = recipient.GetRSAPublicKey()
            ?? throw new ArgumentException("The recipient certificate must carry an RSA key: gdcmanon uses RSA key transport.", nameof(recipient));
        if (publicKey.KeySize < MinimumRsaKeySizeInBits)
        {
            publicKey.Dispose();
            throw new ArgumentException("The recipient certificate's RSA key is shorter than 2048 bits.", nameof(recipient));
        }
        return publicKey;
    }

    /// <summary>
    /// gdcmanon's form, written directly (RFC 5652): ContentInfo(envelopedData) → EnvelopedData v0 with one
    /// KeyTransRecipientInfo v0 (issuer and serial number, rsaEncryption with NULL parameters, PKCS#1 v1.5) and
    /// EncryptedContentInfo(id-data, CBC with its IV, [0] IMPLICIT ciphertext). EnvelopedCms builds the same
    /// structure but parses the certificate's key on every call, which dominated the cost of a small file.
    /// </summary>
    private static byte[] EncryptPkcs1(ReadOnlySpan<byte> plaintext, X509Certificate2 recipient, RSA publicKey, ContentCipher cipher)
    {
        using SymmetricAlgorithm algorithm = cipher == ContentCipher.TripleDesCbc ? TripleDES.Create() : Aes.Create();
        algorithm.KeySize = cipher switch
        {
            ContentCipher.Aes128Cbc => 128,
            ContentCipher.Aes192Cbc => 192,
            ContentCipher.Aes256Cbc => 256,
            _ => 192,
        };
        algorithm.GenerateKey();
        algorithm.GenerateIV();
        byte[] key = algorithm.Key;
        try
        {
            byte[] ciphertext = algorithm.EncryptCbc(plaintext, algorithm.IV, PaddingMode.PKCS7);
            byte[] encryptedKey = publicKey.Encrypt(key, RSAEncryptionPadding.Pkcs1);

            var writer = new AsnWriter(AsnEncodingRules.DER);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(EnvelopedDataContentTypeOid);
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                using (writer.PushSequence())
                {
                    writer.WriteInteger(0);
                    using (writer.PushSetOf())
                    using (writer.PushSequence())
                    {
                        writer.WriteInteger(0);
                        using (writer.PushSequence())
                        {
                            writer.WriteEncodedValue(recipient.IssuerName.RawData);
                            writer.WriteInteger(recipient.SerialNumberBytes.Span);
                        }
                        using (writer.PushSequence())
                        {
                            writer.WriteObjectIdentifier(RsaEncryptionOid);
                            writer.WriteNull();
                        }
                        writer.WriteOctetString(encryptedKey);
                    }
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier(DataContentTypeOid);
                        using (writer.PushSequence())
                        {
                            writer.WriteObjectIdentifier(ContentCiphers.GetOid(cipher));
                            writer.WriteOctetString(algorithm.IV);
                        }
                        writer.WriteOctetString(ciphertext, new Asn1Tag(TagClass.ContextSpecific, 0));
                    }
                }
            }
            return writer.Encode();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static byte[] EncryptWithEnvelopedCms(ReadOnlySpan<byte> plaintext, X509Certificate2 recipient, ContentCipher cipher, RSAEncryptionPadding padding)
    {
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

    private const string EnvelopedDataContentTypeOid = "1.2.840.113549.1.7.3";
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";

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

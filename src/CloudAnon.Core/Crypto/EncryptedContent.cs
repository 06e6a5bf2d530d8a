using System.Formats.Asn1;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

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
        using SymmetricAlgorithm algorithm = CreateAlgorithm(cipher);
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
                writer.WriteObjectIdentifier(EnvelopedData.EnvelopedDataContentTypeOid);
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
                            writer.WriteObjectIdentifier(EnvelopedData.RsaEncryptionOid);
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

    /// <summary>
    /// Decrypts the value of Encrypted Content (0400,0520) as stored, with at most one trailing 0x00 of DICOM padding,
    /// with the key of the recipient that <paramref name="certificateWithPrivateKey"/> names (issuer and serial number,
    /// or subject key identifier).
    /// </summary>
    /// <exception cref="EncryptedContentException">Malformed data, an unsupported cipher, no recipient for this certificate, or a wrong key.</exception>
    public static byte[] Decrypt(ReadOnlySpan<byte> encryptedContent, X509Certificate2 certificateWithPrivateKey)
    {
        ArgumentNullException.ThrowIfNull(certificateWithPrivateKey);
        using RSA privateKey = certificateWithPrivateKey.GetRSAPrivateKey()
            ?? throw new ArgumentException("The certificate has no RSA private key.", nameof(certificateWithPrivateKey));
        var envelope = Open(encryptedContent);
        var recipients = envelope.Recipients.Where(r => r.Identifier.Identifies(certificateWithPrivateKey)).ToList();
        if (recipients.Count == 0) throw new EncryptedContentException(EncryptedContentFailure.NoMatchingRecipient);
        return DecryptFor(envelope, recipients, privateKey);
    }

    /// <summary>
    /// Decrypts Encrypted Content (0400,0520) with an RSA private key alone (gdcmanon's <c>-k</c> without a certificate):
    /// the recipient is the first key-transport recipient whose wrapped key this key unwraps and whose content it then decrypts.
    /// </summary>
    /// <exception cref="EncryptedContentException">Malformed data, an unsupported cipher, no key-transport recipient, or a key that opens none.</exception>
    public static byte[] Decrypt(ReadOnlySpan<byte> encryptedContent, RSA privateKey)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        var envelope = Open(encryptedContent);
        if (envelope.Recipients.Count == 0) throw new EncryptedContentException(EncryptedContentFailure.NoMatchingRecipient);
        return DecryptFor(envelope, envelope.Recipients, privateKey);
    }

    private static EnvelopedData Open(ReadOnlySpan<byte> encryptedContent)
    {
        var envelope = EnvelopedData.Decode(WithoutDicomPadding(encryptedContent).ToArray());
        // Checked before any key is used, so a weak cipher is refused whatever the key.
        if (!ContentCiphers.TryFromOid(envelope.CipherOid, out _)) throw new EncryptedContentException(EncryptedContentFailure.UnsupportedCipher);
        if (envelope.ContentTypeOid != DataContentTypeOid) throw new EncryptedContentException(EncryptedContentFailure.UnsupportedContentType);
        return envelope;
    }

    private static byte[] DecryptFor(EnvelopedData envelope, IEnumerable<KeyTransportRecipient> recipients, RSA privateKey)
    {
        ContentCiphers.TryFromOid(envelope.CipherOid, out var cipher);
        CryptographicException? failure = null;
        foreach (var recipient in recipients)
        {
            byte[]? key = null;
            try
            {
                key = privateKey.Decrypt(recipient.EncryptedKey, recipient.Padding);
                using SymmetricAlgorithm algorithm = CreateAlgorithm(cipher);
                // A wrong RSA key can unwrap garbage (PKCS#1 v1.5 implicit rejection); its length or the CBC padding gives it away.
                if (key.Length * 8 != algorithm.KeySize || envelope.Iv.Length != algorithm.BlockSize / 8) throw new CryptographicException();
                algorithm.Key = key;
                return algorithm.DecryptCbc(envelope.Ciphertext, envelope.Iv, PaddingMode.PKCS7);
            }
            catch (CryptographicException e)
            {
                failure = e;
            }
            finally
            {
                if (key is not null) CryptographicOperations.ZeroMemory(key);
            }
        }
        throw new EncryptedContentException(EncryptedContentFailure.DecryptionFailed, failure);
    }

    private static SymmetricAlgorithm CreateAlgorithm(ContentCipher cipher)
    {
        SymmetricAlgorithm algorithm = cipher == ContentCipher.TripleDesCbc ? TripleDES.Create() : Aes.Create();
        algorithm.KeySize = cipher switch
        {
            ContentCipher.Aes128Cbc => 128,
            ContentCipher.Aes192Cbc => 192,
            ContentCipher.Aes256Cbc => 256,
            _ => 192,
        };
        return algorithm;
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
}

using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CloudAnon.Core.Crypto;

/// <summary>
/// A CMS EnvelopedData (RFC 5652) as read from Encrypted Content (0400,0520): its key-transport recipients and its
/// encrypted content. BER is accepted (gdcmanon writes DER; <c>openssl cms -stream</c> writes indefinite lengths).
/// Recipients other than RSA key transport are skipped; everything else that does not parse is <see cref="EncryptedContentFailure.Malformed"/>.
/// </summary>
internal sealed class EnvelopedData
{
    internal const string EnvelopedDataContentTypeOid = "1.2.840.113549.1.7.3";
    internal const string RsaEncryptionOid = "1.2.840.113549.1.1.1";

    private EnvelopedData(IReadOnlyList<KeyTransportRecipient> recipients, string contentTypeOid, string cipherOid, byte[] iv, byte[] ciphertext)
    {
        Recipients = recipients;
        ContentTypeOid = contentTypeOid;
        CipherOid = cipherOid;
        Iv = iv;
        Ciphertext = ciphertext;
    }

    public IReadOnlyList<KeyTransportRecipient> Recipients { get; }
    public string ContentTypeOid { get; }
    public string CipherOid { get; }
    public byte[] Iv { get; }
    public byte[] Ciphertext { get; }

    /// <exception cref="EncryptedContentException">Not a ContentInfo holding an EnvelopedData (<see cref="EncryptedContentFailure.Malformed"/>).</exception>
    public static EnvelopedData Decode(ReadOnlyMemory<byte> encoded)
    {
        try
        {
            var contentInfo = new AsnReader(encoded, AsnEncodingRules.BER).ReadSequence();
            if (contentInfo.ReadObjectIdentifier() != EnvelopedDataContentTypeOid) throw Malformed();
            var envelopedData = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)).ReadSequence();
            contentInfo.ThrowIfNotEmpty();

            envelopedData.ReadInteger(); // version: 0 to 4 depending on what else is present; nothing here depends on it
            if (envelopedData.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0))) envelopedData.ReadEncodedValue(); // originatorInfo
            var recipients = ReadRecipients(envelopedData.ReadSetOf());

            var encryptedContentInfo = envelopedData.ReadSequence();
            string contentType = encryptedContentInfo.ReadObjectIdentifier();
            var algorithm = encryptedContentInfo.ReadSequence();
            string cipherOid = algorithm.ReadObjectIdentifier();
            // CBC parameters are the IV; an unsupported algorithm's parameters may be anything and are not read.
            byte[] iv = ContentCiphers.TryFromOid(cipherOid, out _) ? algorithm.ReadOctetString() : [];
            byte[] ciphertext = encryptedContentInfo.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 0));
            encryptedContentInfo.ThrowIfNotEmpty();
            return new EnvelopedData(recipients, contentType, cipherOid, iv, ciphertext);
        }
        catch (AsnContentException e)
        {
            throw new EncryptedContentException(EncryptedContentFailure.Malformed, e);
        }
    }

    private static List<KeyTransportRecipient> ReadRecipients(AsnReader set)
    {
        var recipients = new List<KeyTransportRecipient>();
        while (set.HasData)
        {
            // KeyTransRecipientInfo is the only untagged choice; kari [1], kekri [2], pwri [3] and ori [4] are skipped.
            if (!set.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                set.ReadEncodedValue();
                continue;
            }
            var recipient = set.ReadSequence();
            recipient.ReadInteger();
            RecipientIdentifier identifier;
            if (recipient.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var issuerAndSerial = recipient.ReadSequence();
                byte[] issuer = issuerAndSerial.ReadEncodedValue().ToArray();
                identifier = new RecipientIdentifier(issuer, issuerAndSerial.ReadInteger(), null);
            }
            else
            {
                identifier = new RecipientIdentifier(null, default, recipient.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 0)));
            }
            var padding = KeyTransportPadding(recipient.ReadSequence());
            byte[] encryptedKey = recipient.ReadOctetString();
            if (padding is not null) recipients.Add(new KeyTransportRecipient(identifier, padding, encryptedKey));
        }
        return recipients;
    }

    private const string RsaOaepOid = "1.2.840.113549.1.1.7";
    private const string Mgf1Oid = "1.2.840.113549.1.1.8";

    /// <summary>PKCS#1 v1.5 or OAEP with MGF1 over the same hash and no label (all .NET offers); null for anything else.</summary>
    private static RSAEncryptionPadding? KeyTransportPadding(AsnReader algorithm)
    {
        string oid = algorithm.ReadObjectIdentifier();
        if (oid == RsaEncryptionOid) return RSAEncryptionPadding.Pkcs1;
        if (oid != RsaOaepOid) return null;

        // RSAES-OAEP-params ::= SEQUENCE { hashFunc [0] DEFAULT sha1, maskGenFunc [1] DEFAULT mgf1SHA1, pSourceFunc [2] DEFAULT empty }
        HashAlgorithmName? hash = HashAlgorithmName.SHA1, mgfHash = HashAlgorithmName.SHA1;
        if (algorithm.HasData && algorithm.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var parameters = algorithm.ReadSequence();
            var hashTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
            var maskTag = new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true);
            if (parameters.HasData && parameters.PeekTag() == hashTag) hash = HashOf(parameters.ReadSequence(hashTag).ReadSequence());
            if (parameters.HasData && parameters.PeekTag() == maskTag)
            {
                var mask = parameters.ReadSequence(maskTag).ReadSequence();
                mgfHash = mask.ReadObjectIdentifier() == Mgf1Oid ? HashOf(mask.ReadSequence()) : null;
            }
            if (parameters.HasData) return null; // a label (pSourceFunc)
        }
        return hash is { } oaepHash && hash == mgfHash ? RSAEncryptionPadding.CreateOaep(oaepHash) : null;
    }

    private static HashAlgorithmName? HashOf(AsnReader algorithm) => algorithm.ReadObjectIdentifier() switch
    {
        "1.3.14.3.2.26" => HashAlgorithmName.SHA1,
        "2.16.840.1.101.3.4.2.1" => HashAlgorithmName.SHA256,
        "2.16.840.1.101.3.4.2.2" => HashAlgorithmName.SHA384,
        "2.16.840.1.101.3.4.2.3" => HashAlgorithmName.SHA512,
        _ => null,
    };

    private static EncryptedContentException Malformed() => new(EncryptedContentFailure.Malformed);
}

/// <summary>A KeyTransRecipientInfo this reader can unwrap: who it is for, the RSA padding, and the wrapped content-encryption key.</summary>
internal sealed record KeyTransportRecipient(RecipientIdentifier Identifier, RSAEncryptionPadding Padding, byte[] EncryptedKey);

/// <summary>IssuerAndSerialNumber (DER of the issuer Name and the serial) or SubjectKeyIdentifier.</summary>
internal sealed record RecipientIdentifier(byte[]? Issuer, BigInteger SerialNumber, byte[]? SubjectKeyIdentifier)
{
    public bool Identifies(X509Certificate2 certificate) => Issuer is not null
        ? Issuer.AsSpan().SequenceEqual(certificate.IssuerName.RawData)
          && SerialNumber == new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true)
        : certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>()
            .Any(extension => extension.SubjectKeyIdentifierBytes.Span.SequenceEqual(SubjectKeyIdentifier));
}

using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using CloudAnon.Core.Crypto;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Crypto;

public sealed class EncryptedContentTests(RecipientFixture fixture) : IClassFixture<RecipientFixture>
{
    private const string SingleDesOid = "1.3.14.3.2.7";
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";

    // Made once: RSA key generation would dominate the rows that put them around the fixture's recipient.
    private static readonly Lazy<(X509Certificate2 First, X509Certificate2 Last)> OtherRecipients =
        new(() => (TestCertificates.CreateWithPrivateKey("First recipient"), TestCertificates.CreateWithPrivateKey("Last recipient")));

    private readonly X509Certificate2 _recipient = fixture.Recipient;
    private readonly byte[] _plaintext = RandomNumberGenerator.GetBytes(1001);

    public static TheoryData<ContentCipher, KeyTransport> AllCombinations()
    {
        var data = new TheoryData<ContentCipher, KeyTransport>();
        foreach (ContentCipher cipher in Enum.GetValues<ContentCipher>())
        {
            foreach (KeyTransport keyTransport in Enum.GetValues<KeyTransport>())
            {
                data.Add(cipher, keyTransport);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllCombinations))]
    public void RoundTrip_RestoresThePlaintext(ContentCipher cipher, KeyTransport keyTransport)
    {
        using X509Certificate2 publicOnly = TestCertificates.PublicOnly(_recipient);

        byte[] encrypted = EncryptedContent.Encrypt(_plaintext, publicOnly, cipher, keyTransport);

        Assert.Equal(_plaintext, EncryptedContent.Decrypt(encrypted, _recipient));
    }

    [Theory]
    [MemberData(nameof(AllCombinations))]
    public void RoundTrip_WithThePrivateKeyAlone_RestoresThePlaintext(ContentCipher cipher, KeyTransport keyTransport)
    {
        using X509Certificate2 publicOnly = TestCertificates.PublicOnly(_recipient);
        using RSA key = _recipient.GetRSAPrivateKey()!;

        byte[] encrypted = EncryptedContent.Encrypt(_plaintext, publicOnly, cipher, keyTransport);

        Assert.Equal(_plaintext, EncryptedContent.Decrypt([.. encrypted, 0x00], key));
    }

    [Theory]
    [InlineData(SubjectIdentifierType.IssuerAndSerialNumber, "SHA1")]
    [InlineData(SubjectIdentifierType.SubjectKeyIdentifier, "SHA256")]
    [InlineData(SubjectIdentifierType.IssuerAndSerialNumber, "SHA512")]
    [InlineData(SubjectIdentifierType.IssuerAndSerialNumber, null)]
    public void Decrypt_WithThePrivateKeyAlone_FindsItsRecipientAmongOthers(SubjectIdentifierType identifierType, string? oaepHash)
    {
        var (first, last) = OtherRecipients.Value;
        RSAEncryptionPadding padding = oaepHash is null ? RSAEncryptionPadding.Pkcs1 : RSAEncryptionPadding.CreateOaep(new HashAlgorithmName(oaepHash));
        var envelope = new EnvelopedCms(new ContentInfo(_plaintext), new AlgorithmIdentifier(new Oid(ContentCiphers.GetOid(ContentCipher.Aes192Cbc))));
        envelope.Encrypt(new CmsRecipientCollection
        {
            new CmsRecipient(identifierType, first, padding),
            new CmsRecipient(identifierType, _recipient, padding),
            new CmsRecipient(identifierType, last, padding),
        });
        using RSA key = _recipient.GetRSAPrivateKey()!;

        Assert.Equal(_plaintext, EncryptedContent.Decrypt(envelope.Encode(), key));
    }

    [Theory]
    [InlineData(KeyTransport.RsaPkcs1)]
    [InlineData(KeyTransport.RsaOaepSha256)]
    public void Decrypt_WithAnotherPrivateKeyAlone_FailsWithDecryptionFailed(KeyTransport keyTransport)
    {
        using X509Certificate2 other = TestCertificates.CreateWithPrivateKey("Someone else");
        using RSA otherKey = other.GetRSAPrivateKey()!;
        byte[] encrypted = EncryptedContent.Encrypt(_plaintext, _recipient, keyTransport: keyTransport);

        var error = Assert.Throws<EncryptedContentException>(() => EncryptedContent.Decrypt(encrypted, otherKey));

        Assert.Equal(EncryptedContentFailure.DecryptionFailed, error.Reason);
        Assert.DoesNotContain(Convert.ToHexString(_plaintext[..8]), error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Decrypt_WithThePrivateKeyAlone_RefusesSingleDesAndMalformedData()
    {
        var envelope = new EnvelopedCms(new ContentInfo(_plaintext), new AlgorithmIdentifier(new Oid(SingleDesOid)));
        envelope.Encrypt(new CmsRecipient(SubjectIdentifierType.IssuerAndSerialNumber, _recipient));
        using RSA key = _recipient.GetRSAPrivateKey()!;

        Assert.Equal(EncryptedContentFailure.UnsupportedCipher, Assert.Throws<EncryptedContentException>(() => EncryptedContent.Decrypt(envelope.Encode(), key)).Reason);
        Assert.Equal(EncryptedContentFailure.Malformed, Assert.Throws<EncryptedContentException>(() => EncryptedContent.Decrypt([0x30, 0x03, 0x02, 0x01, 0x00], key)).Reason);
        Assert.Equal(EncryptedContentFailure.Malformed, Assert.Throws<EncryptedContentException>(() => EncryptedContent.Decrypt(EncryptedContent.Encrypt(_plaintext, _recipient)[..^20], key)).Reason);
    }

    // Bad input gives a clear error, never another exception: every byte of a real envelope flipped in turn, and every cut.
    [Fact]
    public void Decrypt_OfACorruptedEnvelope_FailsOnlyWithEncryptedContentException()
    {
        byte[] encrypted = EncryptedContent.Encrypt(_plaintext[..40], _recipient);
        using RSA key = _recipient.GetRSAPrivateKey()!;
        var unexpected = new List<string>();
        void Attempt(byte[] candidate, string what)
        {
            try
            {
                EncryptedContent.Decrypt(candidate, key);
                EncryptedContent.Decrypt(candidate, _recipient);
            }
            catch (EncryptedContentException)
            {
            }
            catch (Exception e)
            {
                unexpected.Add($"{what}: {e.GetType().Name}");
            }
        }

        for (int i = 0; i < encrypted.Length; i++)
        {
            byte[] flipped = [.. encrypted];
            flipped[i] ^= 0xA5;
            Attempt(flipped, $"byte {i} flipped");
            Attempt(encrypted[..i], $"cut at {i}");
        }

        Assert.Empty(unexpected);
    }

    [Theory]
    [InlineData(ContentCipher.Aes128Cbc)]
    [InlineData(ContentCipher.Aes192Cbc)]
    [InlineData(ContentCipher.Aes256Cbc)]
    [InlineData(ContentCipher.TripleDesCbc)]
    public void Encrypt_WritesGdcmanonsLayout(ContentCipher cipher)
    {
        byte[] encrypted = EncryptedContent.Encrypt(_plaintext, _recipient, cipher);

        var envelope = new EnvelopedCms();
        envelope.Decode(encrypted);
        Assert.Equal(ContentCiphers.GetOid(cipher), envelope.ContentEncryptionAlgorithm.Oid.Value);
        Assert.Equal(EncryptedContent.DataContentTypeOid, envelope.ContentInfo.ContentType.Value);
        RecipientInfo recipient = Assert.Single(envelope.RecipientInfos.Cast<RecipientInfo>());
        Assert.Equal(SubjectIdentifierType.IssuerAndSerialNumber, recipient.RecipientIdentifier.Type);
        Assert.Equal(RsaEncryptionOid, recipient.KeyEncryptionAlgorithm.Oid.Value);
        // DER: one definite-length SEQUENCE spanning the whole value.
        Assert.Equal(0x30, encrypted[0]);
        Assert.Equal(encrypted.Length, 4 + ((encrypted[2] << 8) | encrypted[3]));
    }

    [Fact]
    public void Decrypt_AcceptsOneTrailingDicomPadByte()
    {
        byte[] encrypted = EncryptedContent.Encrypt(_plaintext, _recipient);

        byte[] padded = [.. encrypted, 0x00];

        Assert.Equal(_plaintext, EncryptedContent.Decrypt(padded, _recipient));
    }

    [Theory]
    [InlineData(new byte[] { 0x01 })]
    [InlineData(new byte[] { 0x00, 0x00 })]
    public void Decrypt_RefusesOtherTrailingBytes(byte[] trailing)
    {
        byte[] encrypted = EncryptedContent.Encrypt(_plaintext, _recipient);

        AssertFails(EncryptedContentFailure.Malformed, [.. encrypted, .. trailing]);
    }

    [Fact]
    public void Decrypt_RefusesTruncatedOrForeignData()
    {
        byte[] encrypted = EncryptedContent.Encrypt(_plaintext, _recipient);

        AssertFails(EncryptedContentFailure.Malformed, encrypted[..^10]);
        AssertFails(EncryptedContentFailure.Malformed, []);
        AssertFails(EncryptedContentFailure.Malformed, "DICM"u8.ToArray());
        // Well-formed DER that is not an EnvelopedData: a bare SEQUENCE holding an INTEGER.
        AssertFails(EncryptedContentFailure.Malformed, [0x30, 0x03, 0x02, 0x01, 0x00]);
    }

    [Fact]
    public void Decrypt_RefusesSingleDes_BeforeUsingTheKey()
    {
        var envelope = new EnvelopedCms(new ContentInfo(_plaintext), new AlgorithmIdentifier(new Oid(SingleDesOid)));
        envelope.Encrypt(new CmsRecipient(SubjectIdentifierType.IssuerAndSerialNumber, _recipient));

        AssertFails(EncryptedContentFailure.UnsupportedCipher, envelope.Encode());
    }

    [Fact]
    public void Decrypt_WithAnotherCertificate_FailsWithNoMatchingRecipient()
    {
        using X509Certificate2 other = TestCertificates.CreateWithPrivateKey("Someone else");
        byte[] encrypted = EncryptedContent.Encrypt(_plaintext, _recipient);

        var error = Assert.Throws<EncryptedContentException>(() => EncryptedContent.Decrypt(encrypted, other));

        Assert.Equal(EncryptedContentFailure.NoMatchingRecipient, error.Reason);
    }

    // OAEP fails deterministically on a wrong key; PKCS#1 v1.5 under OpenSSL >= 3.2 (implicit rejection) yields a
    // random key instead, which CBC padding then rejects only with probability 255/256.
    [Fact]
    public void Decrypt_WithTheRightIdentityButAnotherKey_FailsWithDecryptionFailed()
    {
        using X509Certificate2 impostor = TestCertificates.CreateImpostor(_recipient);
        byte[] encrypted = EncryptedContent.Encrypt(_plaintext, _recipient, keyTransport: KeyTransport.RsaOaepSha256);

        var error = Assert.Throws<EncryptedContentException>(() => EncryptedContent.Decrypt(encrypted, impostor));

        Assert.Equal(EncryptedContentFailure.DecryptionFailed, error.Reason);
    }

    [Fact]
    public void Decrypt_WithACorruptedEncryptedKey_FailsWithDecryptionFailed()
    {
        byte[] encrypted = EncryptedContent.Encrypt(_plaintext, _recipient, keyTransport: KeyTransport.RsaOaepSha256);
        var envelope = new EnvelopedCms();
        envelope.Decode(encrypted);
        byte[] encryptedKey = envelope.RecipientInfos[0].EncryptedKey;
        int keyOffset = encrypted.AsSpan().IndexOf(encryptedKey);

        encrypted[keyOffset + 100] ^= 0x5A;

        AssertFails(EncryptedContentFailure.DecryptionFailed, encrypted);
    }

    [Fact]
    public void Decrypt_FindsARecipientNamedBySubjectKeyIdentifier()
    {
        var envelope = new EnvelopedCms(new ContentInfo(_plaintext), new AlgorithmIdentifier(new Oid(ContentCiphers.GetOid(ContentCipher.Aes128Cbc))));
        envelope.Encrypt(new CmsRecipient(SubjectIdentifierType.SubjectKeyIdentifier, _recipient));

        Assert.Equal(_plaintext, EncryptedContent.Decrypt(envelope.Encode(), _recipient));
    }

    [Fact]
    public void Decrypt_RefusesContentThatIsNotIdData()
    {
        var envelope = new EnvelopedCms(new ContentInfo(new Oid("1.2.840.113549.1.7.2"), [0x30, 0x00]), new AlgorithmIdentifier(new Oid(ContentCiphers.GetOid(ContentCipher.Aes256Cbc))));
        envelope.Encrypt(new CmsRecipient(_recipient));

        AssertFails(EncryptedContentFailure.UnsupportedContentType, envelope.Encode());
    }

    [Fact]
    public void Decrypt_RequiresAPrivateKey()
    {
        using X509Certificate2 publicOnly = TestCertificates.PublicOnly(_recipient);
        byte[] encrypted = EncryptedContent.Encrypt(_plaintext, _recipient);

        Assert.Throws<ArgumentException>(() => EncryptedContent.Decrypt(encrypted, publicOnly));
    }

    [Fact]
    public void Encrypt_RefusesNonRsaAndShortRsaKeys()
    {
        using ECDsa ecKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 ecCertificate = new CertificateRequest("CN=ec", ecKey, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        using X509Certificate2 shortKey = TestCertificates.CreateWithPrivateKey("short", keySizeInBits: 1024);

        Assert.Throws<ArgumentException>(() => EncryptedContent.Encrypt(_plaintext, ecCertificate));
        Assert.Throws<ArgumentException>(() => EncryptedContent.Encrypt(_plaintext, shortKey));
    }

    [Fact]
    public void FailureMessages_AreFixedPerReason()
    {
        foreach (EncryptedContentFailure reason in Enum.GetValues<EncryptedContentFailure>())
        {
            var error = new EncryptedContentException(reason);
            Assert.Equal(reason, error.Reason);
            Assert.Contains("(0400,0520)", error.Message, StringComparison.Ordinal);
        }
    }

    private void AssertFails(EncryptedContentFailure expected, byte[] encryptedContent)
    {
        var error = Assert.Throws<EncryptedContentException>(() => EncryptedContent.Decrypt(encryptedContent, _recipient));
        Assert.Equal(expected, error.Reason);
    }
}

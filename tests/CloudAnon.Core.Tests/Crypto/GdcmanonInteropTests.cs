using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using CloudAnon.Core.Crypto;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Crypto;

/// <summary>
/// Proves the envelope interoperates with gdcmanon (libgdcm-tools) and openssl in both directions.
/// These tests run the real tools and fail, never skip, when one is missing.
/// </summary>
public sealed class GdcmanonInteropTests : IClassFixture<RecipientFixture>, IDisposable
{
    private const string ExplicitVrLittleEndian = "1.2.840.10008.1.2.1";

    // (0400,0550) SQ, undefined length, then an item of undefined length.
    private static readonly byte[] ModifiedAttributesSequenceStart =
        [0x00, 0x04, 0x50, 0x05, (byte)'S', (byte)'Q', 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF];

    // Item delimitation, then sequence delimitation; nothing follows.
    private static readonly byte[] ModifiedAttributesSequenceEnd =
        [0xFE, 0xFF, 0x0D, 0xE0, 0x00, 0x00, 0x00, 0x00, 0xFE, 0xFF, 0xDD, 0xE0, 0x00, 0x00, 0x00, 0x00];

    private readonly X509Certificate2 _recipient;
    private readonly string _directory = Directory.CreateTempSubdirectory("cloudanon-crypto-").FullName;
    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly string _original;

    public GdcmanonInteropTests(RecipientFixture fixture)
    {
        _recipient = fixture.Recipient;
        (_certificatePath, _keyPath) = TestCertificates.ExportPem(_recipient, _directory);
        _original = InDirectory("original.dcm");
        File.Copy(ExternalTools.CorpusPath("modality", "CT", "CT_small_GE.dcm"), _original);
    }

    public static TheoryData<ContentCipher, KeyTransport> AllCombinations() => EncryptedContentTests.AllCombinations();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(null, ContentCipher.Aes256Cbc)]
    [InlineData("aes128", ContentCipher.Aes128Cbc)]
    [InlineData("aes192", ContentCipher.Aes192Cbc)]
    [InlineData("aes256", ContentCipher.Aes256Cbc)]
    [InlineData("des3", ContentCipher.TripleDesCbc)]
    [InlineData("des", ContentCipher.TripleDesCbc)] // gdcm 3.0.21 writes des-ede3-cbc for --des.
    public async Task GdcmanonsEncryptedContent_DecryptsWithOurDecrypt(string? gdcmanonCipher, ContentCipher expectedCipher)
    {
        string deidentified = await DeidentifyWithGdcmanonAsync(gdcmanonCipher);
        string encryptedContentPath = InDirectory("gdcm.cms");

        string item = await ExternalTools.ExtractEncryptedContentAsync(deidentified, encryptedContentPath);
        byte[] encryptedContent = await File.ReadAllBytesAsync(encryptedContentPath);
        byte[] plaintext = EncryptedContent.Decrypt(encryptedContent, _recipient);
        using RSA key = _recipient.GetRSAPrivateKey()!;

        Assert.Equal(plaintext, EncryptedContent.Decrypt(encryptedContent, key)); // the key alone finds gdcmanon's recipient
        Assert.Equal($"1 {ExplicitVrLittleEndian}", item);
        Assert.Equal(ContentCiphers.GetOid(expectedCipher), ReadContentEncryptionOid(encryptedContent));
        Assert.Equal(0, encryptedContent.Length % 2);
        Assert.StartsWith(Convert.ToHexString(ModifiedAttributesSequenceStart), Convert.ToHexString(plaintext), StringComparison.Ordinal);
        Assert.EndsWith(Convert.ToHexString(ModifiedAttributesSequenceEnd), Convert.ToHexString(plaintext), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllCombinations))]
    public async Task OurEncryptedContent_DecryptsWithOpenSslCms(ContentCipher cipher, KeyTransport keyTransport)
    {
        byte[] plaintext = [.. ModifiedAttributesSequenceStart, .. "\u0010\u0000\u0010\u0000PN\u0004\u0000Doe^"u8, .. ModifiedAttributesSequenceEnd];
        string encryptedContentPath = InDirectory("ours.cms");
        string decryptedPath = InDirectory("ours.plain");
        await File.WriteAllBytesAsync(encryptedContentPath, EncryptedContent.Encrypt(plaintext, _recipient, cipher, keyTransport));

        await ExternalTools.RunAsync(ExternalTools.OpenSsl, "cms", "-decrypt", "-binary", "-inform", "DER", "-in", encryptedContentPath,
            "-recip", _certificatePath, "-inkey", _keyPath, "-out", decryptedPath);
        string structure = await ExternalTools.RunAsync(ExternalTools.OpenSsl, "cms", "-cmsout", "-print", "-inform", "DER", "-in", encryptedContentPath);

        Assert.Equal(plaintext, await File.ReadAllBytesAsync(decryptedPath));
        Assert.Contains("contentType: pkcs7-data (1.2.840.113549.1.7.1)", structure, StringComparison.Ordinal);
        Assert.Contains($"({ContentCiphers.GetOid(cipher)})", structure, StringComparison.Ordinal);
        Assert.Contains("d.issuerAndSerialNumber", structure, StringComparison.Ordinal);
    }

    // openssl -stream writes indefinite-length BER, as other CMS producers may; gdcmanon reads it too.
    [Fact]
    public async Task OpenSslsIndefiniteLengthBer_DecryptsWithOurDecrypt()
    {
        byte[] plaintext = [.. ModifiedAttributesSequenceStart, .. ModifiedAttributesSequenceEnd];
        string plaintextPath = InDirectory("plain.bin");
        string encryptedContentPath = InDirectory("openssl.cms");
        await File.WriteAllBytesAsync(plaintextPath, plaintext);

        await ExternalTools.RunAsync(ExternalTools.OpenSsl, "cms", "-encrypt", "-binary", "-stream", "-aes256", "-outform", "DER",
            "-in", plaintextPath, "-out", encryptedContentPath, _certificatePath);
        byte[] encryptedContent = await File.ReadAllBytesAsync(encryptedContentPath);

        using RSA key = _recipient.GetRSAPrivateKey()!;

        Assert.Equal(0x80, encryptedContent[1]); // indefinite length
        Assert.Equal(plaintext, EncryptedContent.Decrypt(encryptedContent, _recipient));
        Assert.Equal(plaintext, EncryptedContent.Decrypt(encryptedContent, key));
    }

    // Every cipher with gdcmanon's own key transport, and OAEP once: each row runs gdcmanon three times and python twice.
    [Theory]
    [InlineData(ContentCipher.Aes128Cbc, KeyTransport.RsaPkcs1)]
    [InlineData(ContentCipher.Aes192Cbc, KeyTransport.RsaPkcs1)]
    [InlineData(ContentCipher.Aes256Cbc, KeyTransport.RsaPkcs1)]
    [InlineData(ContentCipher.TripleDesCbc, KeyTransport.RsaPkcs1)]
    [InlineData(ContentCipher.Aes256Cbc, KeyTransport.RsaOaepSha256)]
    public async Task OurEncryptedContent_InAGdcmanonFile_ReidentifiesWithGdcmanon(ContentCipher cipher, KeyTransport keyTransport)
    {
        string spliced = await ReplaceGdcmanonsEnvelopeWithOursAsync(cipher, keyTransport);

        byte[] reidentifiedFromOurs = await ReidentifyWithGdcmanonAsync(spliced);
        byte[] reidentifiedFromGdcms = await ReidentifyWithGdcmanonAsync(InDirectory("deidentified.dcm"));

        Assert.Equal(reidentifiedFromGdcms, reidentifiedFromOurs);
    }

    // gdcmanon's legacy PKCS#7 backend reads only PKCS#1 v1.5 key transport to an issuer-and-serial-number recipient:
    // the reason our default matches gdcmanon's own output.
    [Fact]
    public async Task OurDefaultEncryptedContent_ReidentifiesWithGdcmanonsLegacyPkcs7Backend()
    {
        string spliced = await ReplaceGdcmanonsEnvelopeWithOursAsync(ContentCiphers.Default, KeyTransport.RsaPkcs1);

        byte[] reidentified = await ReidentifyWithGdcmanonAsync(spliced, "--crypto=openssl-p7");

        Assert.Equal(await ReidentifyWithGdcmanonAsync(InDirectory("deidentified.dcm")), reidentified);
    }

    private async Task<string> ReplaceGdcmanonsEnvelopeWithOursAsync(ContentCipher cipher, KeyTransport keyTransport)
    {
        string deidentified = await DeidentifyWithGdcmanonAsync(gdcmanonCipher: null);
        string gdcmEnvelopePath = InDirectory("gdcm.cms");
        string ourEnvelopePath = InDirectory("ours.cms");
        string spliced = InDirectory("spliced.dcm");
        await ExternalTools.ExtractEncryptedContentAsync(deidentified, gdcmEnvelopePath);
        byte[] plaintext = EncryptedContent.Decrypt(await File.ReadAllBytesAsync(gdcmEnvelopePath), _recipient);
        using X509Certificate2 publicOnly = TestCertificates.PublicOnly(_recipient);

        await File.WriteAllBytesAsync(ourEnvelopePath, EncryptedContent.Encrypt(plaintext, publicOnly, cipher, keyTransport));
        await ExternalTools.ReplaceEncryptedContentAsync(deidentified, ourEnvelopePath, spliced);
        return spliced;
    }

    private async Task<string> DeidentifyWithGdcmanonAsync(string? gdcmanonCipher)
    {
        string output = InDirectory("deidentified.dcm");
        string[] cipherOption = gdcmanonCipher is null ? [] : [$"--{gdcmanonCipher}"];
        await ExternalTools.RunAsync(ExternalTools.Gdcmanon, ["-e", .. cipherOption, "-c", _certificatePath, _original, output]);
        return output;
    }

    private async Task<byte[]> ReidentifyWithGdcmanonAsync(string deidentified, params string[] options)
    {
        string output = InDirectory($"reidentified-{Path.GetFileNameWithoutExtension(deidentified)}{string.Concat(options)}.dcm");
        await ExternalTools.RunAsync(ExternalTools.Gdcmanon, ["-d", .. options, "-k", _keyPath, deidentified, output]);
        return await File.ReadAllBytesAsync(output);
    }

    private static string ReadContentEncryptionOid(byte[] encryptedContent)
    {
        // Decode only the DER value, not the OB value's padding byte.
        AsnDecoder.ReadEncodedValue(encryptedContent, AsnEncodingRules.DER, out _, out _, out int encodedLength);
        var envelope = new EnvelopedCms();
        envelope.Decode(encryptedContent.AsSpan(0, encodedLength));
        return envelope.ContentEncryptionAlgorithm.Oid.Value!;
    }

    private string InDirectory(string fileName) => Path.Combine(_directory, fileName);
}

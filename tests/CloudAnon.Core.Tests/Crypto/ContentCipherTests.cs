using CloudAnon.Core.Crypto;

namespace CloudAnon.Core.Tests.Crypto;

public class ContentCipherTests
{
    [Theory]
    [InlineData("aes128", ContentCipher.Aes128Cbc)]
    [InlineData("aes192", ContentCipher.Aes192Cbc)]
    [InlineData("aes256", ContentCipher.Aes256Cbc)]
    [InlineData("des3", ContentCipher.TripleDesCbc)]
    [InlineData("AES256", ContentCipher.Aes256Cbc)]
    public void Parse_AcceptsGdcmanonNames(string name, ContentCipher expected)
    {
        Assert.Equal(expected, ContentCiphers.Parse(name));
        Assert.True(ContentCiphers.TryParse(name, out ContentCipher parsed));
        Assert.Equal(expected, parsed);
        Assert.Equal(name.ToLowerInvariant(), ContentCiphers.GetGdcmanonName(expected));
    }

    [Fact]
    public void Default_IsAes256_LikeGdcmanon()
    {
        Assert.Equal(ContentCipher.Aes256Cbc, ContentCiphers.Default);
        Assert.Equal(ContentCiphers.Default, default(ContentCipher));
    }

    [Fact]
    public void Parse_RefusesSingleDes_WithAClearReason()
    {
        var error = Assert.Throws<ArgumentException>(() => ContentCiphers.Parse("des"));
        Assert.Contains("insecure", error.Message, StringComparison.Ordinal);
        Assert.False(ContentCiphers.TryParse("des", out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("aes")]
    [InlineData("--aes256")]
    [InlineData("rc2")]
    public void Parse_RefusesUnknownNames(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => ContentCiphers.Parse(name));
        Assert.Contains("Unknown cipher name", error.Message, StringComparison.Ordinal);
        Assert.False(ContentCiphers.TryParse(name, out _));
    }

    [Fact]
    public void Oids_RoundTrip_AndSingleDesOidIsNotSupported()
    {
        foreach (ContentCipher cipher in Enum.GetValues<ContentCipher>())
        {
            Assert.True(ContentCiphers.TryFromOid(ContentCiphers.GetOid(cipher), out ContentCipher back));
            Assert.Equal(cipher, back);
        }

        Assert.False(ContentCiphers.TryFromOid("1.3.14.3.2.7", out _));
    }
}

namespace CloudAnon.Core.Crypto;

/// <summary>How the content-encryption key is wrapped for the recipient's RSA key.</summary>
public enum KeyTransport
{
    /// <summary>RSAES-PKCS1-v1_5, what gdcmanon writes; every gdcm CMS backend (openssl, openssl-p7, capi) reads it.</summary>
    RsaPkcs1 = 0,

    /// <summary>RSAES-OAEP with SHA-256; gdcmanon's default OpenSSL backend reads it, its openssl-p7 backend does not.</summary>
    RsaOaepSha256,
}

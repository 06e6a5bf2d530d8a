using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace CloudAnon.Azure.Tests.KeyVault;

/// <summary>CMS EnvelopedData round trips, the way reversible de-identification uses the certificate pair.</summary>
internal static class Cms
{
    public static byte[] EncryptTo(X509Certificate2 recipient, byte[] content)
    {
        var envelope = new EnvelopedCms(new ContentInfo(content));
        envelope.Encrypt(new CmsRecipient(recipient));
        return envelope.Encode();
    }

    public static byte[] Decrypt(byte[] encoded, X509Certificate2 certificateWithPrivateKey)
    {
        var envelope = new EnvelopedCms();
        envelope.Decode(encoded);
        envelope.Decrypt(new X509Certificate2Collection(certificateWithPrivateKey));
        return envelope.ContentInfo.Content;
    }
}

using System.Security.Cryptography.X509Certificates;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Crypto;

/// <summary>One recipient certificate per test class: RSA key generation dominates the run time otherwise.</summary>
public sealed class RecipientFixture : IDisposable
{
    public X509Certificate2 Recipient { get; } = TestCertificates.CreateWithPrivateKey();

    public void Dispose() => Recipient.Dispose();
}

using System.Security.Cryptography.X509Certificates;

namespace CloudAnon.TestSupport;

/// <summary>
/// A PEM file of test TLS certificates for a child process's <c>SSL_CERT_FILE</c>: .NET on Linux (and OpenSSL) takes it
/// as the machine's trusted roots, so the process trusts the test servers with default client options. Deleted on dispose.
/// </summary>
public sealed class TrustBundle : IDisposable
{
    public TrustBundle(params X509Certificate2[] certificates)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"cloudanon-trust-{Guid.NewGuid():N}.pem");
        File.WriteAllText(Path, string.Concat(certificates.Select(certificate => certificate.ExportCertificatePem() + "\n")));
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}

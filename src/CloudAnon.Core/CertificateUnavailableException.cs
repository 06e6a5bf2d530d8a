namespace CloudAnon.Core;

/// <summary>
/// The certificate (or its private key) needed for encryption or re-identification cannot be obtained:
/// its store is unreachable, refuses access, or holds something that is not a usable certificate.
/// Messages name where the certificate was looked for and why it failed, never secret material.
/// </summary>
public sealed class CertificateUnavailableException : Exception
{
    public CertificateUnavailableException(string message)
        : base(message)
    {
    }

    public CertificateUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

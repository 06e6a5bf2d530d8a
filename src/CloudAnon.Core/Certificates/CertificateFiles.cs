using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CloudAnon.Core.Certificates;

/// <summary>
/// Loads certificates and RSA private keys from operator-given files. Every failure becomes a
/// <see cref="CertificateUnavailableException"/> naming the file (the operator typed the path; no file content is quoted).
/// </summary>
internal static class CertificateFiles
{
    /// <summary>Loads a PEM, DER or PFX certificate and returns it without any private key.</summary>
    public static X509Certificate2 LoadPublicCertificate(string path, string? pfxPassword)
    {
        byte[] contents = ReadAllBytes(path);
        X509Certificate2 certificate;
        try
        {
            if (X509Certificate2.GetCertContentType(contents) == X509ContentType.Pkcs12)
            {
                using X509Certificate2 withKey = X509CertificateLoader.LoadPkcs12(contents, pfxPassword);
                certificate = X509CertificateLoader.LoadCertificate(withKey.RawData);
            }
            else
            {
                certificate = X509CertificateLoader.LoadCertificate(contents);
            }
        }
        catch (CryptographicException ex)
        {
            throw Unavailable(path, "is not a PEM, DER or PFX certificate, or its PFX password is wrong", ex);
        }

        return RequireRsa(certificate, path);
    }

    /// <summary>Loads a PFX file that must hold the certificate together with its private key.</summary>
    public static X509Certificate2 LoadPfxWithPrivateKey(string path, string? password)
    {
        byte[] contents = ReadAllBytes(path);
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12(contents, password);
        }
        catch (CryptographicException ex)
        {
            throw Unavailable(path, "is not a PFX file, or its password is wrong", ex);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw Unavailable(path, "holds no private key", null);
        }

        return RequireRsa(certificate, path);
    }

    /// <summary>Pairs a certificate file with an RSA private key PEM file (PKCS#1 or PKCS#8, optionally encrypted).</summary>
    public static X509Certificate2 LoadCertificateWithPemKey(string certificatePath, string privateKeyPath, string? privateKeyPassword)
    {
        using X509Certificate2 certificate = LoadPublicCertificate(certificatePath, pfxPassword: null);
        using RSA privateKey = LoadRsaPrivateKey(privateKeyPath, privateKeyPassword);
        try
        {
            return certificate.CopyWithPrivateKey(privateKey);
        }
        catch (ArgumentException ex)
        {
            throw new CertificateUnavailableException(
                $"Private key file '{privateKeyPath}' does not match the certificate in '{certificatePath}'.", ex);
        }
    }

    /// <summary>Loads an RSA private key PEM file (PKCS#1 or PKCS#8, optionally encrypted).</summary>
    public static RSA LoadRsaPrivateKey(string path, string? password)
    {
        string pem = ReadAllText(path);
        RSA key = RSA.Create();
        try
        {
            if (password is null)
            {
                key.ImportFromPem(pem);
            }
            else
            {
                key.ImportFromEncryptedPem(pem, password);
            }

            return key;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new CertificateUnavailableException(
                $"Private key file '{path}' holds no usable RSA private key (expected PEM 'RSA PRIVATE KEY' or 'PRIVATE KEY'; an encrypted key needs its password).",
                ex);
        }
    }

    // Reversible de-identification uses CMS key transport to an RSA key, as gdcmanon does.
    private static X509Certificate2 RequireRsa(X509Certificate2 certificate, string path)
    {
        using RSA? publicKey = certificate.GetRSAPublicKey();
        if (publicKey is null)
        {
            certificate.Dispose();
            throw Unavailable(path, "does not hold an RSA certificate", null);
        }

        return certificate;
    }

    private static byte[] ReadAllBytes(string path) => Read(path, File.ReadAllBytes);

    private static string ReadAllText(string path) => Read(path, File.ReadAllText);

    private static T Read<T>(string path, Func<string, T> read)
    {
        try
        {
            return read(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CertificateUnavailableException($"File '{path}' does not exist.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CertificateUnavailableException($"File '{path}' cannot be read.", ex);
        }
    }

    private static CertificateUnavailableException Unavailable(string path, string reason, Exception? cause) =>
        new($"Certificate file '{path}' {reason}.", cause);
}

using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Identity;
using CloudAnon.Azure.Ingress;
using CloudAnon.Core;

namespace CloudAnon.Azure.KeyVault;

/// <summary>Translates Azure SDK failures into <see cref="CertificateUnavailableException"/> at the adapter boundary.</summary>
internal static class KeyVaultFailure
{
    /// <summary>True for failures meaning "the vault did not give us a usable certificate" (not the caller cancelling).</summary>
    public static bool IsVaultFailure(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        RequestFailedException or AuthenticationFailedException or HttpRequestException or CryptographicException or JsonException => true,
        _ when IngressFailure.RetriesExhausted(exception) is { } attempts => attempts.All(attempt => IsVaultFailure(attempt, cancellationToken)),
        // Azure.Core reports its own network timeout as a cancellation the caller did not ask for.
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    /// <summary>A short cause: an HTTP status and Key Vault error code, or what kind of failure happened. No secret values.</summary>
    public static string DescribeCause(Exception exception) => exception switch
    {
        _ when IngressFailure.RetriesExhausted(exception) is [.., var lastAttempt] => DescribeCause(lastAttempt),
        RequestFailedException { Status: 0 } failed => Unreachable(failed.InnerException),
        RequestFailedException failed when failed.ErrorCode is not null => $"the vault answered status {failed.Status} ({failed.ErrorCode})",
        RequestFailedException failed => $"the vault answered status {failed.Status}",
        AuthenticationFailedException => "the credential could not obtain a token for the vault",
        HttpRequestException http => Unreachable(http),
        OperationCanceledException => "the request to the vault timed out",
        CryptographicException => "the vault returned data that is not a usable certificate",
        JsonException => "the vault's answer is not Key Vault's JSON (is the URI a key vault?)",
        _ => exception.GetType().Name,
    };

    /// <summary>With the kind of network failure when known (NameResolutionError, SecureConnectionError, ProxyTunnelError …).</summary>
    private static string Unreachable(Exception? cause) =>
        cause is HttpRequestException { HttpRequestError: not HttpRequestError.Unknown and var error }
            ? $"the vault could not be reached ({error})"
            : "the vault could not be reached";

    public static CertificateUnavailableException Unavailable(Uri vaultUri, string certificateName, string cause, Exception? innerException) =>
        new($"Certificate '{certificateName}' in key vault '{vaultUri.Host}' is unavailable: {cause}.", innerException);
}

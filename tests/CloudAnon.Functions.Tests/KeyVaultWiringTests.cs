using CloudAnon.Azure.Ingress;
using CloudAnon.Azure.KeyVault;
using CloudAnon.Core;
using CloudAnon.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CloudAnon.Functions.Tests;

/// <summary>
/// The certificate from Key Vault as the app wires it (KeyVaultUri + CertificateName), through the real SDK against the
/// fake HTTPS vault. The source's own caching rules are tested in CloudAnon.Azure.Tests; these check the app's use of them.
/// </summary>
public sealed class KeyVaultWiringTests
{
    private const string CertificateName = "deid";

    [Fact]
    public async Task KeyVaultCertificate_IsFetchedOnce_ThenTheRotatedVersionAfterTheRefreshInterval()
    {
        await using var vault = await FakeKeyVaultServer.StartAsync();
        using var first = TestCertificates.CreateRsa("CloudAnon deid v1");
        using var second = TestCertificates.CreateRsa("CloudAnon deid v2");
        vault.AddCertificateVersion(CertificateName, first);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await StartAsync(vault, time);
        Assert.IsType<KeyVaultCertificateSource>(app.Services.GetRequiredService<ICertificateSource>());

        Assert.Equal(first.SerialNumber, await DeidentifyAsync(app, "modality/CT/CT_small_GE.dcm"));
        var fetches = vault.CountAuthorizedRequests("/certificates/");
        Assert.Equal(first.SerialNumber, await DeidentifyAsync(app, "modality/SEG/label_map_seg_sparse_ppv5.dcm"));
        Assert.Equal(fetches, vault.CountAuthorizedRequests("/certificates/"));

        vault.AddCertificateVersion(CertificateName, second);
        time.Advance(new KeyVaultCertificateOptions().RefreshInterval + TimeSpan.FromSeconds(1));
        Assert.Equal(second.SerialNumber, await DeidentifyAsync(app, "modality/DX/dx_image.dcm"));
        Assert.Equal(fetches + 1, vault.CountAuthorizedRequests("/certificates/"));

        // The function reads the certificate object only, never its secret (the private key).
        Assert.Equal(0, vault.CountAuthorizedRequests("/secrets/"));
    }

    [Fact]
    public async Task UnreachableVault_QuarantinesTheBlobAfterTheRetries_WithAClearError_AndNothingInEgress()
    {
        await using var vault = await FakeKeyVaultServer.StartAsync();
        await vault.StopAsync();
        await using var app = await StartAsync(vault, TimeProvider.System);
        const string blobName = "unreachable-vault.dcm";
        await app.UploadAsync(blobName, "modality/CT/CT_small_GE.dcm");

        for (var delivery = 1; delivery < RetryBudget.MaxDeliveries; delivery++)
        {
            var failure = await Assert.ThrowsAsync<DeidentificationException>(() => app.InvokeAsync(blobName));
            Assert.Equal(DeidentificationFailure.CertificateUnavailable, failure.Failure);
        }

        await app.InvokeAsync(blobName);

        Assert.Empty(await FunctionApp.ListAsync(app.Containers.Egress));
        var quarantined = Assert.Single(await FunctionApp.ListAsync(app.Containers.Quarantine));
        Assert.Equal(FailureReasons.RetriesExhausted, quarantined.Metadata[IngressMetadata.Reason]);
        var lastLog = app.Log.Entries[^1].Message;
        Assert.Contains($"Certificate '{CertificateName}' in key vault '127.0.0.1' is unavailable: the vault could not be reached", lastLog);
        Assert.Contains(nameof(DeidentificationFailure.CertificateUnavailable), lastLog);
    }

    private static async Task<FunctionApp> StartAsync(FakeKeyVaultServer vault, TimeProvider time)
    {
        var settings = await FunctionApp.DefaultSettingsAsync();
        settings[SettingNames.KeyVaultUri] = vault.VaultUri.ToString();
        settings[SettingNames.CertificateName] = CertificateName;
        // The real CertificateClient, made to trust the fake vault's TLS certificate; AddCloudAnon builds the source on it.
        return await FunctionApp.StartAsync(settings, services => services.AddSingleton(vault.CreateCertificateClient()).AddSingleton(time));
    }

    /// <summary>Runs one file through the function; returns the serial number of the certificate its originals were encrypted to.</summary>
    private static async Task<string> DeidentifyAsync(FunctionApp app, string corpusFile)
    {
        var before = (await FunctionApp.ListAsync(app.Containers.Egress)).Select(b => b.Name).ToHashSet();
        var blobName = Guid.NewGuid().ToString("N");
        await app.UploadAsync(blobName, corpusFile);
        await app.InvokeAsync(blobName);
        var written = Assert.Single(await FunctionApp.ListAsync(app.Containers.Egress), b => !before.Contains(b.Name));
        using var file = await FunctionApp.OpenAsync(app.Containers.Egress, written.Name);
        return FunctionApp.RecipientSerialNumber(file);
    }
}

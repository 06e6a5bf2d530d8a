using System.Security.Cryptography.X509Certificates;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.KeyVault;

/// <summary>A fresh <see cref="FakeKeyVaultServer"/> per test and a first certificate version to store in it.</summary>
public abstract class FakeVaultTests : IAsyncLifetime
{
    protected const string CertificateName = "deid-recipient";

    protected X509Certificate2 FirstVersion { get; } = TestCertificates.CreateRsa("CloudAnon recipient v1");

    protected FakeKeyVaultServer Vault { get; private set; } = null!;

    public async Task InitializeAsync() => Vault = await FakeKeyVaultServer.StartAsync();

    public async Task DisposeAsync()
    {
        await Vault.DisposeAsync();
        FirstVersion.Dispose();
    }
}

using System.Reflection;
using System.Text.Json;
using CloudAnon.Core.Crypto;
using CloudAnon.Core.Profile;
using CloudAnon.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CloudAnon.Functions.Tests;

public sealed class SettingsTests
{
    /// <summary>The Functions host's own settings: the worker never reads them.</summary>
    private static readonly string[] HostSettings = ["AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME"];

    [Fact]
    public void SettingNames_AreExactlyTheSampleSettings()
    {
        var declared = typeof(SettingNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral)
            .Select(field => (string)field.GetRawConstantValue()!);
        Assert.Equal(SampleValues().Keys.Except(HostSettings).Order(), declared.Order());
    }

    [Fact]
    public void Load_ReadsEverySampleSetting_AndNothingElse()
    {
        var recorder = new RecordingConfigurationProvider(SampleValues().ToDictionary(p => p.Key, p => (string?)p.Value));
        var configuration = new ConfigurationBuilder().Add(new RecordingConfigurationSource(recorder)).Build();
        // The sample is for local work: its certificate path and (empty) mapping key need filling in.
        recorder.Set(SettingNames.MappingKey, Convert.ToBase64String(new byte[32]));

        var settings = CloudAnonSettings.Load(configuration);

        Assert.Equal(SampleValues().Keys.Except(HostSettings).Order(), recorder.ReadSettings.Order());
        Assert.Equal(CertificateSourceKind.File, settings.CertificateSource);
        Assert.Equal(ContentCipher.Aes256Cbc, settings.Deidentification.Cipher);
        Assert.False(settings.DeleteIngressAfterSuccess);
    }

    [Fact]
    public void Load_ReversibleWithoutCertificate_FailsAtStartupNamingTheSettings()
    {
        var configuration = Configuration(("Storage", "UseDevelopmentStorage=true"), ("MappingKey", Convert.ToBase64String(new byte[32])));

        var error = Assert.Throws<CloudAnonSettingsException>(() => new ServiceCollection().AddCloudAnon(configuration));

        Assert.Contains(error.Errors, e => e.Contains(SettingNames.CertificatePath) && e.Contains(SettingNames.Irreversible));
        Assert.Contains(error.Errors, e => e.StartsWith(SettingNames.IngressContainer));
    }

    [Fact]
    public void Load_ReportsEveryInvalidValue_WithoutEchoingIt()
    {
        var configuration = Configuration(
            ("Storage", "UseDevelopmentStorage=true"), ("IngressContainer", "i"), ("EgressContainer", "e"), ("QuarantineContainer", "q"),
            ("MappingTable", "m"), ("BackfillQueue", "backfill"), ("Irreversible", "true"), ("MappingKey", "c2VjcmV0LXRvby1zaG9ydA=="),
            ("ProfileOptions", "RetainUids,NotAnOption"), ("RootUid", "1.02.3"), ("ContentCipher", "des"), ("AfterSuccess", "archive"),
            ("KeyVaultUri", "http://vault.example"));

        var error = Assert.Throws<CloudAnonSettingsException>(() => CloudAnonSettings.Load(configuration));

        foreach (var name in new[] { "MappingKey", "ProfileOptions", "RootUid", "ContentCipher", "AfterSuccess", "KeyVaultUri" })
        {
            Assert.Contains(error.Errors, e => e.StartsWith(name));
        }

        Assert.DoesNotContain("c2VjcmV0", error.Message);
        Assert.DoesNotContain("NotAnOption", error.Message);
    }

    [Fact]
    public void Load_AcceptsTheOptionNamesTheReadmeAndCliUse()
    {
        var configuration = Configuration(MinimalIrreversible(("ProfileOptions", "retain-uids, clean-descriptors")));

        var settings = CloudAnonSettings.Load(configuration);

        Assert.Equal(ProfileOptions.RetainUids | ProfileOptions.CleanDescriptors, settings.Deidentification.ProfileOptions);
    }

    [Theory]
    [InlineData("1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17")] // 41 characters
    [InlineData("1.2.826.0.1.3680043.10.12345.67890.12345.678")] // 44 characters
    public void Load_RootTheEngineWouldRefuse_FailsAtStartupNamingTheSetting(string root)
    {
        var error = Assert.Throws<CloudAnonSettingsException>(() => CloudAnonSettings.Load(Configuration(MinimalIrreversible(("RootUid", root)))));

        var message = Assert.Single(error.Errors);
        Assert.StartsWith(SettingNames.RootUid, message);
        Assert.DoesNotContain(root, message);
    }

    [Fact]
    public void Load_MalformedMappingKey_IsOneErrorNamingIt()
    {
        var error = Assert.Throws<CloudAnonSettingsException>(() =>
            CloudAnonSettings.Load(Configuration(MinimalIrreversible(("MappingKey", Convert.ToBase64String(new byte[31]))))));

        Assert.StartsWith(SettingNames.MappingKey, Assert.Single(error.Errors));
    }

    [Fact]
    public void Load_StudyStampAndScanSettings_DefaultAndAcceptTheirForms()
    {
        var defaults = CloudAnonSettings.Load(Configuration(MinimalIrreversible()));
        var custom = CloudAnonSettings.Load(Configuration(MinimalIrreversible(("StudyStampSeconds", "0"), ("StudyScanSchedule", "00:00:30"))));

        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10)), (defaults.StudyStampInterval, defaults.StudyQuietTime));
        Assert.Equal(EmitQuietStudies.DefaultSchedule, defaults.StudyScanSchedule);
        Assert.Equal((TimeSpan.Zero, "00:00:30"), (custom.StudyStampInterval, custom.StudyScanSchedule));
    }

    [Theory]
    [InlineData("StudyStampSeconds", "-1")]
    [InlineData("StudyStampSeconds", "soon")]
    [InlineData("StudyQuietSeconds", "0")]
    [InlineData("StudyScanSchedule", "0 */1 * * *")] // five fields: the host's NCRONTAB has six, seconds first
    [InlineData("StudyScanSchedule", "every minute")]
    [InlineData("StudyScanSchedule", "00:00:00")]
    [InlineData("StudyScanSchedule", "")] // the host cannot resolve %StudyScanSchedule% without it
    public void Load_BadStudySetting_IsOneErrorNamingIt(string name, string value)
    {
        var error = Assert.Throws<CloudAnonSettingsException>(() => CloudAnonSettings.Load(Configuration(MinimalIrreversible((name, value)))));

        Assert.StartsWith(name, Assert.Single(error.Errors));
    }

    [Fact]
    public void Sample_CertificatePath_IsTheCertificateRunLocalCreates()
    {
        var path = SampleValues()[SettingNames.CertificatePath];
        var script = File.ReadAllText(Path.Combine(Corpus.RepositoryRoot, "scripts", "run-local.sh"));

        Assert.Contains($"-out {path}", script);
    }

    [Fact]
    public void Load_IdentityBasedStorageAndKeyVault_AsInfraSetsThem()
    {
        var configuration = Configuration(
            ("Storage:blobServiceUri", "https://data.blob.core.windows.net"), ("Storage:tableServiceUri", "https://data.table.core.windows.net"),
            ("Storage:credential", "managedidentity"), ("Storage:clientId", "00000000-0000-0000-0000-000000000001"),
            ("IngressContainer", "ingress"), ("EgressContainer", "egress"), ("QuarantineContainer", "quarantine"), ("MappingTable", "mappings"), ("BackfillQueue", "backfill"),
            ("StudyScanSchedule", EmitQuietStudies.DefaultSchedule),
            ("KeyVaultUri", "https://vault.vault.azure.net/"), ("CertificateName", "deid"), ("MappingKeySecretName", "mapping-key"),
            ("ProfileOptions", "RetainLongitudinalModifiedDates, cleanDescriptors"), ("RootUid", "1.2.826.0.1.3680043.10.1"));

        var settings = CloudAnonSettings.Load(configuration);

        Assert.Null(settings.Storage.ConnectionString);
        Assert.True(settings.Storage.UsesManagedIdentity);
        Assert.Equal("00000000-0000-0000-0000-000000000001", settings.Storage.ManagedIdentityClientId);
        Assert.Equal(CertificateSourceKind.KeyVault, settings.CertificateSource);
        Assert.Equal("mapping-key", settings.MappingKeySecretName);
        Assert.Equal(ProfileOptions.RetainLongitudinalModifiedDates | ProfileOptions.CleanDescriptors, settings.Deidentification.ProfileOptions);
        Assert.Equal("1.2.826.0.1.3680043.10.1", settings.Deidentification.UidRoot);
    }

    /// <summary>A valid irreversible configuration, with <paramref name="overrides"/> replacing or adding settings.</summary>
    private static (string Key, string Value)[] MinimalIrreversible(params (string Key, string Value)[] overrides) =>
    [
        .. new (string Key, string Value)[]
        {
            ("Storage", "UseDevelopmentStorage=true"), ("IngressContainer", "i"), ("EgressContainer", "e"), ("QuarantineContainer", "q"),
            ("MappingTable", "m"), ("BackfillQueue", "backfill"), ("Irreversible", "true"), ("MappingKey", Convert.ToBase64String(new byte[32])),
            ("StudyScanSchedule", EmitQuietStudies.DefaultSchedule),
        }.Where(setting => overrides.All(o => o.Key != setting.Key)),
        .. overrides,
    ];

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static Dictionary<string, string> SampleValues()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(Corpus.RepositoryRoot, "local.settings.sample.json")));
        return sample.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
    }

    private sealed class RecordingConfigurationSource(RecordingConfigurationProvider provider) : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => provider;
    }

    /// <summary>Records which top-level settings are read (Storage:blobServiceUri counts as Storage).</summary>
    private sealed class RecordingConfigurationProvider : ConfigurationProvider
    {
        private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

        public RecordingConfigurationProvider(Dictionary<string, string?> values) => Data = new Dictionary<string, string?>(values, StringComparer.OrdinalIgnoreCase);

        public IEnumerable<string> ReadSettings => _read;

        public override bool TryGet(string key, out string? value)
        {
            _read.Add(key.Split(ConfigurationPath.KeyDelimiter)[0]);
            return base.TryGet(key, out value);
        }
    }
}

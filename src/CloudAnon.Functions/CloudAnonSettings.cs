using CloudAnon.Azure.Ingress;
using CloudAnon.Core;
using CloudAnon.Core.Crypto;
using CloudAnon.Core.Profile;
using CloudAnon.Pixels;
using CloudAnon.Pixels.Detection;
using Microsoft.Extensions.Configuration;

namespace CloudAnon.Functions;

/// <summary>Where the encryption certificate comes from.</summary>
public enum CertificateSourceKind
{
    /// <summary>Irreversible de-identification: no certificate.</summary>
    None,
    KeyVault,
    File,
}

/// <summary>
/// The function's settings, read from configuration by <see cref="SettingNames"/> and checked as a whole at startup:
/// <see cref="Load"/> throws one <see cref="CloudAnonSettingsException"/> listing every invalid setting, so a
/// misconfigured app fails to start instead of failing (or, worse, writing something unexpected) per blob.
/// </summary>
public sealed partial class CloudAnonSettings
{
    public required StorageConnection Storage { get; init; }

    public required string IngressContainer { get; init; }

    public required string EgressContainer { get; init; }

    public required string QuarantineContainer { get; init; }

    public required string MappingTable { get; init; }

    public string AuditTable { get; init; } = Azure.Audit.AuditTable.DefaultTableName;

    public string AuditContainer { get; init; } = Azure.Audit.AuditTable.DefaultContainerName;

    public string StudyCompleteQueue { get; init; } = Azure.Audit.QuietStudies.DefaultQueueName;

    /// <summary>How long a study goes without a new record before its quiet-study message.</summary>
    public TimeSpan StudyQuietTime { get; init; } = Azure.Audit.QuietStudies.DefaultQuietTime;

    /// <summary>How often a study is stamped in the audit index at most while its records keep coming.</summary>
    public TimeSpan StudyStampInterval { get; init; } = Azure.Audit.AuditTable.DefaultStampInterval;

    /// <summary>Read by the host for the quiet-study timer's schedule; checked here so a missing or malformed one stops start-up with its name.</summary>
    public required string StudyScanSchedule { get; init; }

    /// <summary>Read by the host for the queue trigger's binding; checked here so a missing one stops start-up with its name.</summary>
    public required string BackfillQueue { get; init; }

    /// <summary>The vault holding the certificate and the mapping key secret; null when neither comes from Key Vault.</summary>
    public Uri? KeyVaultUri { get; init; }

    public CertificateSourceKind CertificateSource { get; init; }

    public string? CertificateName { get; init; }

    public string? CertificatePath { get; init; }

    /// <summary>The Key Vault secret holding the base64 mapping key; null when <see cref="MappingKey"/> is set.</summary>
    public string? MappingKeySecretName { get; init; }

    /// <summary>The mapping key given directly (local work); null when it comes from <see cref="MappingKeySecretName"/>.</summary>
    public byte[]? MappingKey { get; init; }

    /// <summary>The engine's options: <see cref="IngressPipeline.DefaultDeidentification"/>'s choices, each a setting.</summary>
    public required DeidentificationOptions Deidentification { get; init; }

    /// <summary>The certificate file or Key Vault certificate; null for irreversible de-identification.</summary>
    public CertificateLocation? Certificate => CertificateSource switch
    {
        CertificateSourceKind.File => new CertificateLocation(CertificatePath),
        CertificateSourceKind.KeyVault => new CertificateLocation(null, KeyVaultUri, CertificateName),
        _ => null,
    };

    public bool DeleteIngressAfterSuccess { get; init; }

    public string? ApplicationInsightsConnectionString { get; init; }

    /// <exception cref="CloudAnonSettingsException">One or more settings are missing or invalid; the message names them all.</exception>
    public static CloudAnonSettings Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var reader = new SettingsReader(configuration);

        var storage = StorageConnection.TryRead(configuration.GetSection(SettingNames.Storage), out var storageError);
        reader.Check(storage is not null, storageError);

        var keyVaultUri = reader.HttpsUri(SettingNames.KeyVaultUri);
        var certificateName = reader.Optional(SettingNames.CertificateName);
        var certificatePath = reader.Optional(SettingNames.CertificatePath);
        var irreversible = reader.Boolean(SettingNames.Irreversible, defaultValue: false);
        var certificateSource = ChooseCertificateSource(reader, irreversible, keyVaultUri, certificateName, certificatePath);

        var mappingKeySecretName = reader.Optional(SettingNames.MappingKeySecretName);
        var mappingKeyGiven = reader.Optional(SettingNames.MappingKey) is not null;
        reader.Check(mappingKeySecretName is not null ^ mappingKeyGiven,
            $"Set exactly one of {SettingNames.MappingKeySecretName} (a Key Vault secret) or {SettingNames.MappingKey} (base64, local work).");
        reader.Check(mappingKeySecretName is null || keyVaultUri is not null,
            $"{SettingNames.MappingKeySecretName} needs {SettingNames.KeyVaultUri}.");
        var mappingKey = reader.MappingKey(SettingNames.MappingKey);

        var settings = new CloudAnonSettings
        {
            Storage = storage!,
            IngressContainer = reader.Required(SettingNames.IngressContainer),
            EgressContainer = reader.Required(SettingNames.EgressContainer),
            QuarantineContainer = reader.Required(SettingNames.QuarantineContainer),
            MappingTable = reader.Required(SettingNames.MappingTable),
            AuditTable = reader.TableName(SettingNames.AuditTable, Azure.Audit.AuditTable.DefaultTableName),
            AuditContainer = reader.ContainerOrQueueName(SettingNames.AuditContainer, Azure.Audit.AuditTable.DefaultContainerName),
            StudyCompleteQueue = reader.ContainerOrQueueName(SettingNames.StudyCompleteQueue, Azure.Audit.QuietStudies.DefaultQueueName),
            StudyQuietTime = TimeSpan.FromSeconds(reader.Integer(SettingNames.StudyQuietSeconds, (int)Azure.Audit.QuietStudies.DefaultQuietTime.TotalSeconds, minimum: 1)),
            StudyStampInterval = TimeSpan.FromSeconds(reader.Integer(SettingNames.StudyStampSeconds, (int)Azure.Audit.AuditTable.DefaultStampInterval.TotalSeconds, minimum: 0)),
            StudyScanSchedule = reader.TimerSchedule(SettingNames.StudyScanSchedule),
            BackfillQueue = reader.Required(SettingNames.BackfillQueue),
            KeyVaultUri = keyVaultUri,
            CertificateSource = certificateSource,
            CertificateName = certificateSource == CertificateSourceKind.KeyVault ? certificateName : null,
            CertificatePath = certificateSource == CertificateSourceKind.File ? certificatePath : null,
            MappingKeySecretName = mappingKeySecretName,
            MappingKey = mappingKey,
            Deidentification = reader.ProfileOptions(SettingNames.ProfileOptions) with
            {
                UidRoot = reader.UidRoot(SettingNames.RootUid),
                Cipher = reader.Cipher(SettingNames.ContentCipher),
                Irreversible = irreversible,
                // Public and research data arrive de-identified and still leak: processing them again is the safe default.
                AllowAlreadyDeidentified = !reader.Boolean(SettingNames.QuarantineAlreadyDeidentified, defaultValue: false),
                RefuseBurnedInAnnotation = reader.Boolean(SettingNames.QuarantineBurnedInAnnotation, defaultValue: true),
            },
            DeleteIngressAfterSuccess = reader.AfterSuccess(SettingNames.AfterSuccess),
            ApplicationInsightsConnectionString = reader.Optional(SettingNames.ApplicationInsightsConnectionString),
        };

        reader.ThrowIfInvalid();
        return settings;
    }

    private static CertificateSourceKind ChooseCertificateSource(
        SettingsReader reader, bool irreversible, Uri? keyVaultUri, string? certificateName, string? certificatePath)
    {
        if (irreversible)
        {
            return CertificateSourceKind.None;
        }

        // Fail closed: reversible de-identification without a certificate would have nowhere to put the originals.
        reader.Check(certificateName is not null || certificatePath is not null,
            $"Reversible de-identification ({SettingNames.Irreversible}=false) needs a certificate: set {SettingNames.KeyVaultUri} " +
            $"and {SettingNames.CertificateName}, or {SettingNames.CertificatePath}; or set {SettingNames.Irreversible}=true.");
        reader.Check(certificateName is null || certificatePath is null,
            $"Set either {SettingNames.CertificateName} (Key Vault) or {SettingNames.CertificatePath} (file), not both.");
        reader.Check(certificateName is null || keyVaultUri is not null,
            $"{SettingNames.CertificateName} needs {SettingNames.KeyVaultUri}.");
        return certificateName is not null ? CertificateSourceKind.KeyVault : CertificateSourceKind.File;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial System.Text.RegularExpressions.Regex TableNamePattern();

    [System.Text.RegularExpressions.GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial System.Text.RegularExpressions.Regex ContainerNamePattern();

    [System.Text.RegularExpressions.GeneratedRegex(@"^[0-9A-Za-z*/,?-]+( [0-9A-Za-z*/,?-]+){5}$")]
    private static partial System.Text.RegularExpressions.Regex NcrontabPattern();

    /// <summary>Reads settings by name and gathers every problem; messages name settings, never their values.</summary>
    private sealed class SettingsReader(IConfiguration configuration)
    {
        private readonly List<string> _errors = [];

        public void Check(bool condition, string? error)
        {
            if (!condition)
            {
                _errors.Add(error ?? "Invalid setting.");
            }
        }

        public void ThrowIfInvalid()
        {
            if (_errors.Count > 0)
            {
                throw new CloudAnonSettingsException(_errors);
            }
        }

        public string? Optional(string name) => configuration[name] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        /// <summary>A table name (3–63 letters and digits, starting with a letter), or <paramref name="defaultValue"/> when unset.</summary>
        public string TableName(string name, string defaultValue) => Named(name, defaultValue, TableNamePattern(), "a table name: 3 to 63 letters and digits, starting with a letter");

        /// <summary>A container or queue name (3–63 lower-case letters, digits and single inner hyphens), or <paramref name="defaultValue"/>.</summary>
        public string ContainerOrQueueName(string name, string defaultValue) =>
            Named(name, defaultValue, ContainerNamePattern(), "3 to 63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit");

        public int Integer(string name, int defaultValue, int minimum)
        {
            if (Optional(name) is not { } value) return defaultValue;
            bool valid = SettingValues.TryParseInteger(value, minimum, out int parsed);
            Check(valid, $"{name} must be a whole number of {minimum} or more.");
            return valid ? parsed : defaultValue;
        }

        /// <summary>A timer trigger's schedule as the host reads it: six NCRONTAB fields, or a positive interval hh:mm:ss.</summary>
        public string TimerSchedule(string name)
        {
            var value = Required(name);
            bool interval = TimeSpan.TryParseExact(value, @"hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture, out var every) && every > TimeSpan.Zero;
            Check(value.Length == 0 || interval || NcrontabPattern().IsMatch(value),
                $"{name} must be a six-field NCRONTAB schedule (second minute hour day month day-of-week, e.g. 0 */1 * * * *) or an interval hh:mm:ss.");
            return value;
        }

        private string Named(string name, string defaultValue, System.Text.RegularExpressions.Regex pattern, string rule)
        {
            var value = Optional(name) ?? defaultValue;
            Check(pattern.IsMatch(value), $"{name} must be {rule}.");
            return value;
        }

        public string Required(string name)
        {
            var value = Optional(name);
            Check(value is not null, $"{name} is required.");
            return value ?? "";
        }

        public bool Boolean(string name, bool defaultValue)
        {
            var value = Optional(name);
            if (value is null)
            {
                return defaultValue;
            }

            Check(bool.TryParse(value, out var parsed), $"{name} must be true or false.");
            return parsed;
        }

        public Uri? HttpsUri(string name)
        {
            var value = Optional(name);
            if (value is null)
            {
                return null;
            }

            var valid = Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;
            Check(valid, $"{name} must be an absolute https URI.");
            return valid ? uri : null;
        }

        public byte[]? MappingKey(string name)
        {
            var value = Optional(name);
            if (value is null)
            {
                return null;
            }

            var valid = Core.Mapping.MappingKey.TryParse(value, out var key);
            Check(valid, $"{name} must be {Core.Mapping.MappingKey.Rule}.");
            return valid ? key : null;
        }

        public DeidentificationOptions ProfileOptions(string name)
        {
            var valid = ProfileOptionNames.TryApply(new DeidentificationOptions(), Optional(name), out var options);
            Check(valid, $"{name} holds an unknown option or value; expected a comma list of: {ProfileOptionNames.Usage}.");
            Check(options is null || options.CleanPixelData == CleanPixelDataMode.Off
                || (File.Exists(OnnxTextDetector.DefaultModelPath) && File.Exists(OnnxTextRecognizer.DefaultModelPath)),
                $"{name} turns clean-pixel-data on, but the text models are missing from the app package (models/{OnnxTextDetector.ModelFileName}, models/{OnnxTextRecognizer.ModelFileName}).");
            return options ?? new DeidentificationOptions();
        }

        public string? UidRoot(string name)
        {
            var value = Optional(name);
            Check(value is null || Core.UidRoot.IsValid(value), $"{name} must be a UID root: {Core.UidRoot.Rule}.");
            return value;
        }

        public ContentCipher Cipher(string name)
        {
            var value = Optional(name);
            if (value is null)
            {
                return ContentCiphers.Default;
            }

            Check(ContentCiphers.TryParse(value, out var cipher), $"{name} must be one of aes128, aes192, aes256 or des3.");
            return cipher;
        }

        public bool AfterSuccess(string name)
        {
            var value = Optional(name) ?? "keep";
            var delete = string.Equals(value, "delete", StringComparison.OrdinalIgnoreCase);
            Check(delete || string.Equals(value, "keep", StringComparison.OrdinalIgnoreCase), $"{name} must be keep or delete.");
            return delete;
        }

    }
}

/// <summary>The function's settings are missing or invalid. The message lists every problem by setting name.</summary>
public sealed class CloudAnonSettingsException(IReadOnlyList<string> errors)
    : Exception("Invalid CloudAnon settings:" + string.Concat(errors.Select(error => Environment.NewLine + "- " + error)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

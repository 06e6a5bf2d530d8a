using System.Diagnostics;
using System.Runtime.CompilerServices;
using CloudAnon.Azure.Ingress;
using CloudAnon.Core;
using CloudAnon.Core.Audit;
using CloudAnon.Core.Certificates;
using CloudAnon.Core.DumbMode;
using CloudAnon.Core.Mapping;
using CloudAnon.Core.Reversible;
using CloudAnon.Dicom;
using CloudAnon.Pixels.Detection;

namespace CloudAnon.Cli;

/// <summary>What happened to one file besides being written: a name from its new UIDs, a warning to show with -W, and its audit record under --audit.</summary>
internal readonly record struct TransformOutcome(string? RenamedPath, string? Warning, AuditRecord? Audit = null);

/// <summary>Changes one file in place; throws to refuse it (then nothing is written).</summary>
internal delegate Task<TransformOutcome> FileTransform(DicomFile file, CancellationToken cancellationToken);

internal static class FileTransforms
{
    /// <summary>
    /// The transform of the chosen mode, with its certificate or key loaded up front so that a bad key file stops the run
    /// before any file is read.
    /// </summary>
    /// <exception cref="CliUsageException">Missing or contradictory options for the mode.</exception>
    /// <exception cref="CertificateUnavailableException">The certificate or key cannot be loaded.</exception>
    public static async Task<FileTransform> CreateAsync(AnonArguments arguments, CancellationToken cancellationToken)
    {
        var mode = arguments.Mode ?? AnonMode.Deidentify;
        if (arguments.RenameByUid && mode != AnonMode.Deidentify) throw new CliUsageException("--rename-by-uid names outputs by their new UIDs: it needs -e");
        if (arguments.AuditDirectory is not null && mode != AnonMode.Deidentify) throw new CliUsageException("--audit records what de-identification did: it needs -e");
        if (mode != AnonMode.Dumb && arguments.Edits.Count > 0) throw new CliUsageException("--empty, --clear, --remove and --replace need --dumb");
        return mode switch
        {
            AnonMode.Deidentify => await CreateDeidentifierAsync(arguments, cancellationToken),
            AnonMode.Reidentify => await CreateReidentifierAsync(arguments, cancellationToken),
            _ => CreateDumb(arguments),
        };
    }

    private static async Task<FileTransform> CreateDeidentifierAsync(AnonArguments arguments, CancellationToken cancellationToken)
    {
        if (arguments.Irreversible == (arguments.CertificatePath is not null))
        {
            throw new CliUsageException(arguments.Irreversible
                ? "--irreversible writes no encrypted originals: do not give -c with it"
                : "de-identification needs -c CERTIFICATE to encrypt the originals to; for no way back, say --irreversible");
        }
        // A file only: the vault client is never asked for.
        var certificates = IngressPipeline.OpenCertificates(
            new CertificateLocation(arguments.CertificatePath, PfxPassword: arguments.Password), _ => throw new UnreachableException());
        if (certificates is not null)
        {
            await certificates.GetEncryptionCertificateAsync(cancellationToken);
        }
        var options = DeidentificationOptionsOf(arguments);
        Deidentifier deidentifier;
        try
        {
            deidentifier = new Deidentifier(options, new InMemoryMappingStore(), certificates);
        }
        catch (Exception e) when (e is ArgumentException or TextDetectorUnavailableException)
        {
            throw new CliUsageException(e.Message.Split(" (Parameter", 2)[0]);
        }
        bool rename = arguments.RenameByUid;
        return async (file, token) =>
        {
            var result = await deidentifier.DeidentifyAsync(file, token);
            string? burnedIn = result.BurnedInAnnotation == BurnedInAnnotation.No ? null
                : $"burned-in annotation {(result.BurnedInAnnotation == BurnedInAnnotation.Yes ? "declared" : "suspected for its modality")}: check the pixels";
            string[] warnings = [.. result.StructureRepairs.Select(r => r.ToString()), .. burnedIn is null ? [] : new[] { burnedIn }];
            string? warning = warnings.Length == 0 ? null : string.Join("; ", warnings);
            return new TransformOutcome(rename ? NameByUids(result) : null, warning, result.Audit);
        };
    }

    /// <summary>The options of a -e run: the --option flags, then the root, cipher and mode flags.</summary>
    public static DeidentificationOptions DeidentificationOptionsOf(AnonArguments arguments) => arguments.Options with
    {
        UidRoot = arguments.RootUid ?? Environment.GetEnvironmentVariable("CLOUDANON_ROOT_UID") ?? Environment.GetEnvironmentVariable("GDCM_ROOT_UID"),
        Cipher = arguments.Cipher,
        Irreversible = arguments.Irreversible,
        AllowAlreadyDeidentified = arguments.AllowDeidentified,
        RecordAudit = arguments.AuditDirectory is not null,
    };

    /// <summary>The instance path of the new UIDs (<see cref="DicomUid.TryGetInstancePath"/>): UIDs cannot climb out of the output directory.</summary>
    private static string NameByUids(DeidentificationResult result) =>
        DicomUid.TryGetInstancePath(result.StudyInstanceUid, result.SeriesInstanceUid, result.SopInstanceUid, out var path)
            ? path
            : throw new DeidentificationException(DeidentificationFailure.MissingRequiredAttribute, "a new UID is not a valid UID, so --rename-by-uid cannot name the file");

    private static async Task<FileTransform> CreateReidentifierAsync(AnonArguments arguments, CancellationToken cancellationToken)
    {
        Reidentifier reidentifier;
        if (arguments.KeyVault is { } vault)
        {
            if (arguments.KeyPath is not null) throw new CliUsageException("give either -k or --key-vault, not both");
            reidentifier = await LoadedAsync(KeyVaultKeys.Create(vault, arguments.CertificateName ?? throw new CliUsageException("--key-vault needs --certificate-name NAME")), cancellationToken);
        }
        else
        {
            string key = arguments.KeyPath ?? throw new CliUsageException("re-identification needs -k KEY (a PEM key, or a PFX), or --key-vault URI --certificate-name NAME");
            reidentifier = arguments.CertificatePath is { } certificate
                ? await LoadedAsync(PemDecryptionKeySource.FromPemFiles(certificate, key, arguments.Password), cancellationToken)
                : IsPem(key)
                    ? await LoadedAsync(new PemPrivateKeySource(key, arguments.Password), cancellationToken)
                    : await LoadedAsync(PemDecryptionKeySource.FromPfxFile(key, arguments.Password), cancellationToken);
        }
        return async (file, token) =>
        {
            await reidentifier.ReidentifyAsync(file, token);
            return default;
        };
    }

    // Loading the key up front makes a bad key file stop the run before any file is read.
    private static async Task<Reidentifier> LoadedAsync(IDecryptionKeySource keys, CancellationToken cancellationToken)
    {
        await keys.GetDecryptionCertificateAsync(cancellationToken);
        return new Reidentifier(keys);
    }

    private static async Task<Reidentifier> LoadedAsync(IPrivateKeySource keys, CancellationToken cancellationToken)
    {
        (await keys.GetPrivateKeyAsync(cancellationToken)).Dispose();
        return new Reidentifier(keys);
    }

    private static bool IsPem(string path) =>
        File.Exists(path) && File.ReadAllText(path).Contains("-----BEGIN", StringComparison.Ordinal);

    private static FileTransform CreateDumb(AnonArguments arguments)
    {
        if (arguments.Edits.Count == 0) throw new CliUsageException("--dumb needs at least one --empty, --clear, --remove or --replace");
        var edits = arguments.Edits.ToArray();
        return (file, _) =>
        {
            DumbAnonymizer.Apply(file.Dataset, edits);
            return Task.FromResult(default(TransformOutcome));
        };
    }
}

/// <summary>Kept apart so the Azure SDK is loaded only by runs that use --key-vault.</summary>
internal static class KeyVaultKeys
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static IDecryptionKeySource Create(Uri vault, string certificateName) =>
        new CloudAnon.Azure.KeyVault.KeyVaultDecryptionKeySource(vault, certificateName, Cloud.CloudCredential.Shared);
}

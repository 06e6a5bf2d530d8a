using System.Security.Cryptography;
using CloudAnon.Core.Audit;
using CloudAnon.Core.Crypto;
using CloudAnon.Core.Engine;
using CloudAnon.Core.Profile;
using CloudAnon.Core.Reversible;
using CloudAnon.Dicom;
using CloudAnon.Pixels;

namespace CloudAnon.Core;

/// <summary>
/// De-identifies DICOM files by PS3.15 Annex E: the Basic Application Level Confidentiality Profile and its options,
/// applied to every element at every depth, with replacements kept consistent through an <see cref="IMappingStore"/>
/// and, unless irreversible, the originals encrypted into the Encrypted Attributes Sequence (0400,0500).
/// Thread-safe: one instance serves every file of a run. Fails closed: on any exception the file must not be written.
/// </summary>
public sealed class Deidentifier
{

    /// <summary>The marks <see cref="AddDeidentificationMarks"/> writes.</summary>
    private static readonly DicomTag[] MarkTags = [DicomTags.PatientIdentityRemoved, DicomTags.DeidentificationMethod, DicomTags.DeidentificationMethodCodeSequence, DicomTags.LongitudinalTemporalInformationModified];
    internal const string PixelsExaminedMethod = "Pixel data examined, no burned-in text removed";

    /// <summary>CloudAnon's implementation class UID (a fixed 2.25 UUID-derived UID) for the File Meta Information of its outputs.</summary>
    public const string ImplementationUid = DicomImplementation.ClassUid;

    private readonly DeidentificationOptions _options;
    private readonly IMappingStore _mappingStore;
    private readonly ICertificateSource? _certificateSource;
    private readonly ProfileTable _table = ProfileTable.Current;
    private readonly HashSet<SafePrivateAttribute> _safePrivate;
    private readonly PixelCleaningStep _pixels;
    private readonly UidGenerator _uidGenerator;

    public Deidentifier(DeidentificationOptions options, IMappingStore mappingStore, ICertificateSource? certificateSource)
    {
        if (!options.Irreversible && certificateSource is null)
        {
            throw new ArgumentException("Reversible de-identification needs a certificate; irreversible mode must be chosen explicitly.", nameof(certificateSource));
        }
        if (options.UidRoot is not null && !UidRoot.IsValid(options.UidRoot))
        {
            throw new ArgumentException($"The UID root must be {UidRoot.Rule}.", nameof(options));
        }
        ProfileTable.EnsureCompatible(options.ProfileOptions);
        _options = options;
        _mappingStore = mappingStore;
        _certificateSource = certificateSource;
        _safePrivate = [.. SafePrivateAttribute.Defaults, .. options.AdditionalSafePrivateAttributes];
        _pixels = new PixelCleaningStep(options);
        // Without the deployment's key, replacements are consistent within this instance only, as gdcmanon's are within one run.
        _uidGenerator = new UidGenerator(options.ReplacementKey ?? RandomNumberGenerator.GetBytes(32), options.UidRoot);
    }

    /// <summary>The options this instance de-identifies with.</summary>
    public DeidentificationOptions Options => _options;

    /// <summary>
    /// The Study Instance UID that <paramref name="original"/>'s output has or would have (the same replacement the mapping
    /// table stores, derived from the deployment's key), so a refused file's record joins its study; null when the data
    /// set has no Study Instance UID that is a UID.
    /// </summary>
    public string? DeidentifiedStudyUid(DicomDataset original)
    {
        ArgumentNullException.ThrowIfNull(original);
        var study = original.GetAsciiString(DicomTag.StudyInstanceUid);
        if (study is null || !DicomUid.IsValid(study)) return null;
        return _options.ProfileOptions.HasFlag(ProfileOptions.RetainUids) ? study : _uidGenerator.Replacement(study);
    }

    public async Task<DeidentificationResult> DeidentifyAsync(DicomFile file, CancellationToken cancellationToken = default)
    {
        var dataset = file.Dataset;
        // One element per tag in ascending order before anything reads it: the first of a duplicated tag is the one decided on.
        var repairs = new List<StructureRepair>();
        dataset.Normalize(repairs);
        RefuseIfAlreadyDeidentified(dataset);
        RefuseIfMediaDirectory(file);
        string studyUid = Required(dataset, DicomTag.StudyInstanceUid, DeidentificationFailure.MissingStudyInstanceUid);
        Required(dataset, DicomTag.SeriesInstanceUid, DeidentificationFailure.MissingRequiredAttribute);
        Required(dataset, DicomTag.SopInstanceUid, DeidentificationFailure.MissingSopInstanceUid);

        // Clean Pixel Data decides on the original header, before the profile changes anything.
        var burnedInAsRead = dataset.Find(DicomTags.BurnedInAnnotation);
        var identifying = _pixels.NeedsIdentifyingText ? await IdentifyingTextAsync(dataset, cancellationToken).ConfigureAwait(false) : null;
        var pixels = await _pixels.CleanAsync(file, identifying, cancellationToken).ConfigureAwait(false);
        RefuseByBurnedInPolicy(dataset);

        var (interpreted, plan, policy) = await PlanAsync(dataset, cancellationToken, repairs).ConfigureAwait(false);
        var replacements = await new ReplacementPlan(_options, _uidGenerator, _mappingStore).ResolveAsync(plan, studyUid, cancellationToken).ConfigureAwait(false);
        var (result, originals) = new ProfilePass(replacements).Apply(plan, interpreted);
        var recorder = _options.RecordAudit ? new AuditRecorder(policy, plan, result) : null;
        int codestreamsStripped = await PixelCleaningStep.StripCodestreamMetadataAsync(result, file.TransferSyntax, cancellationToken).ConfigureAwait(false);
        // The cleaner set Burned In Annotation to NO: its value as read goes with the originals (the pixels do not).
        if (burnedInAsRead is not null && !ReferenceEquals(burnedInAsRead, dataset.Find(DicomTags.BurnedInAnnotation))) originals.Add(burnedInAsRead);
        AddDeidentificationMarks(result, originals, pixels.Outcome);

        bool encrypted = !_options.Irreversible;
        if (encrypted)
        {
            var certificate = await GetCertificateAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                result.Set(await EncryptedAttributes.BuildAsync(originals, certificate, _options.Cipher, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException or InvalidOperationException)
            {
                throw new DeidentificationException(DeidentificationFailure.EncryptionFailed, "The original attributes could not be encrypted.", e);
            }
        }

        dataset.ReplaceWith(result.Elements);
        UpdateFileMeta(file);
        var deidentified = new DeidentificationResult(
            Required(dataset, DicomTag.StudyInstanceUid),
            Required(dataset, DicomTag.SeriesInstanceUid),
            Required(dataset, DicomTag.SopInstanceUid),
            BurnedInAnnotationOf(dataset),
            originals.Count,
            encrypted,
            pixels)
        {
            StructureRepairs = repairs,
            CodestreamsStripped = codestreamsStripped,
        };
        return recorder is null ? deidentified
            : deidentified with { Audit = recorder.Finish(_options, deidentified, file.TransferSyntax.Uid, encrypted ? [.. MarkTags, EncryptedAttributes.SequenceTag] : MarkTags) };
    }

    /// <summary>The plan of <paramref name="dataset"/> under these options, as de-identification makes it (internal: the corpus text measurement reads it).</summary>
    internal async Task<(InterpretedDataset Interpreted, DatasetPlan Plan, ElementPolicy Policy)> PlanAsync(DicomDataset dataset, CancellationToken cancellationToken,
        ICollection<StructureRepair>? repairs = null)
    {
        var interpreted = await UnknownValueInterpreter.InterpretAsync(dataset, cancellationToken, repairs).ConfigureAwait(false);
        var types = IodAttributeTypes.ForSopClass(dataset.GetAsciiString(DicomTag.SopClassUid));
        var policy = new ElementPolicy(_table, UnlistedAttributes.Current, _options, types, new ConditionalTypes(dataset), dataset.Contains(DicomTags.ReferencedSeriesSequence), IsSafePrivate);
        return (interpreted, new DatasetPlanner(policy, interpreted).Plan(), policy);
    }

    /// <summary>
    /// Which text read in the pixels identifies the patient: what the free-text cleaner would cut from it, planned on the
    /// original header (a second plan, made only under pixel-text=identifying, because the pixel step changes Pixel
    /// Data before the real plan is made). A line is judged in each way recognition may have misread it
    /// (<see cref="RecognitionMisreadings"/>), and a line shaped like a numeric date identifies whatever its digits read.
    /// </summary>
    private async Task<IdentifyingTextTest> IdentifyingTextAsync(DicomDataset dataset, CancellationToken cancellationToken)
    {
        var (_, plan, _) = await PlanAsync(dataset, cancellationToken).ConfigureAwait(false);
        var cleaner = new ReplacementPlan(_options, _uidGenerator, _mappingStore).IdentifyingTextCleaner(plan);
        return text => RecognitionMisreadings.Readings(text).Any(reading => cleaner.Clean(reading, runningText: true) != reading)
            || RecognitionMisreadings.IsNumericDate(text);
    }

    private bool IsSafePrivate(string creator, byte elementByte) => _safePrivate.Contains(new SafePrivateAttribute(creator, elementByte));

    private async Task<System.Security.Cryptography.X509Certificates.X509Certificate2> GetCertificateAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _certificateSource!.GetEncryptionCertificateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CertificateUnavailableException e)
        {
            throw new DeidentificationException(DeidentificationFailure.CertificateUnavailable, "The encryption certificate is unavailable.", e);
        }
    }

    private void RefuseIfAlreadyDeidentified(DicomDataset dataset)
    {
        if (_options.AllowAlreadyDeidentified) return;
        bool marked = dataset.Contains(EncryptedAttributes.SequenceTag) || dataset.Contains(DicomTags.DeidentificationMethod)
            || (dataset.GetAsciiString(DicomTags.PatientIdentityRemoved) is { } removed && removed != "NO");
        if (marked)
        {
            throw new DeidentificationException(DeidentificationFailure.AlreadyDeidentified,
                "The file is already de-identified ((0012,0062), (0012,0063) or (0400,0500) present).");
        }
    }

    /// <summary>Before the replacements are resolved, so a refused file writes no mapping row.</summary>
    private void RefuseByBurnedInPolicy(DicomDataset dataset)
    {
        var burnedIn = BurnedInAnnotationOf(dataset);
        if (burnedIn == BurnedInAnnotation.Yes && _options.RefuseBurnedInAnnotation)
        {
            throw new DeidentificationException(DeidentificationFailure.BurnedInAnnotation, "Burned In Annotation (0028,0301) is YES.");
        }
        if (burnedIn == BurnedInAnnotation.Suspected && _options.RefuseSuspectedBurnedInAnnotation)
        {
            throw new DeidentificationException(DeidentificationFailure.SuspectedBurnedInAnnotation,
                "Burned In Annotation (0028,0301) is absent and the modality is known to burn text in.");
        }
    }

    private const string MediaStorageDirectoryStorage = "1.2.840.10008.1.3.10";

    private static void RefuseIfMediaDirectory(DicomFile file)
    {
        if (file.FileMetaInformation.GetAsciiString(DicomTag.MediaStorageSopClassUid) == MediaStorageDirectoryStorage || file.Dataset.Contains(DicomTags.DirectoryRecordSequence))
        {
            throw new DeidentificationException(DeidentificationFailure.MediaDirectory, "The file is a DICOMDIR (media directory), not an instance.");
        }
    }

    private static string Required(DicomDataset dataset, DicomTag tag, DeidentificationFailure failure = DeidentificationFailure.MissingRequiredAttribute) =>
        dataset.GetAsciiString(tag) is { Length: > 0 } value
            ? value
            : throw new DeidentificationException(failure, $"Required attribute {tag} is missing or empty.");

    /// <summary>
    /// (0012,0062), (0012,0063), (0012,0064) with the CID 7050 codes of what was applied, and (0028,0303); an input's
    /// own values of these (such as Patient Identity Removed NO) join the originals, so re-identification restores them.
    /// </summary>
    private void AddDeidentificationMarks(DicomDataset dataset, List<DicomElement> originals, PixelOutcome pixels)
    {
        IReadOnlyList<DeidentificationCodes.Code> applied = pixels == PixelOutcome.Cleaned
            ? [.. DeidentificationCodes.Applied(_options.ProfileOptions), DeidentificationCodes.CleanPixelData]
            : DeidentificationCodes.Applied(_options.ProfileOptions);
        // Pixels examined with nothing to blank: said in words, since CID 7050 has no code for it and 113101 would claim a cleaning.
        IEnumerable<string> method = applied.Select(c => c.Meaning);
        if (pixels == PixelOutcome.Examined) method = method.Append(PixelsExaminedMethod);
        string temporal = _options.ProfileOptions.HasFlag(ProfileOptions.RetainLongitudinalFullDates) ? "UNMODIFIED"
            : _options.ProfileOptions.HasFlag(ProfileOptions.RetainLongitudinalModifiedDates) ? "MODIFIED" : "REMOVED";
        DicomElement[] marks =
        [
            DummyValues.Text(DicomTags.PatientIdentityRemoved, DicomVR.CS, "YES"),
            DummyValues.Text(DicomTags.DeidentificationMethod, DicomVR.LO, string.Join('\\', method)),
            new DicomSequence(DicomTags.DeidentificationMethodCodeSequence, applied.Select(c => c.ToItem())),
            DummyValues.Text(DicomTags.LongitudinalTemporalInformationModified, DicomVR.CS, temporal),
        ];
        foreach (var mark in marks)
        {
            if (dataset.Find(mark.Tag) is { } own) originals.Add(own);
            dataset.Set(mark);
        }
    }

    /// <summary>
    /// The File Meta Information of the output is made anew with only what a reader needs: version, SOP class and
    /// instance (the new UID), transfer syntax and CloudAnon as implementation. Nothing of the input's group 0002 stays:
    /// application entity titles and presentation addresses name the sending site, RTV and private information may hold
    /// anything, and a file that carries a second, older meta group (another system's, with its own instance UID) would
    /// keep its copy of each element. A raw data set gets a complete meta and a zeroed preamble.
    /// </summary>
    private static void UpdateFileMeta(DicomFile file)
    {
        var meta = file.FileMetaInformation;
        var dataset = file.Dataset;
        string? sopClass = dataset.GetAsciiString(DicomTag.SopClassUid) ?? meta.GetAsciiString(DicomTag.MediaStorageSopClassUid);
        meta.RemoveAll(_ => true);
        meta.Set(new DicomValueElement(DicomTags.FileMetaInformationVersion, DicomVR.OB, new byte[] { 0, 1 }));
        if (sopClass is not null) meta.Set(DummyValues.Text(DicomTag.MediaStorageSopClassUid, DicomVR.UI, sopClass));
        meta.Set(DummyValues.Text(DicomTag.MediaStorageSopInstanceUid, DicomVR.UI, dataset.GetAsciiString(DicomTag.SopInstanceUid)!));
        meta.Set(DummyValues.Text(DicomTag.TransferSyntaxUid, DicomVR.UI, file.TransferSyntax.Uid));
        meta.Set(DummyValues.Text(DicomTags.ImplementationClassUID, DicomVR.UI, ImplementationUid));
        meta.Set(DummyValues.Text(DicomTags.ImplementationVersionName, DicomVR.SH, DicomImplementation.VersionName));
        meta.Set(new DicomValueElement(DicomTag.FileMetaInformationGroupLength, DicomVR.UL, new byte[4]));
        meta.RecomputeGroupLengths();
        file.Preamble = new byte[128];
    }

    private static BurnedInAnnotation BurnedInAnnotationOf(DicomDataset dataset) => dataset.GetAsciiString(DicomTags.BurnedInAnnotation) switch
    {
        "YES" => BurnedInAnnotation.Yes,
        "NO" => BurnedInAnnotation.No,
        _ => CandidateRule.IsKnownToCarryText(dataset) ? BurnedInAnnotation.Suspected : BurnedInAnnotation.No,
    };
}

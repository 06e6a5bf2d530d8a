using CloudAnon.Core.Crypto;
using CloudAnon.Core.Profile;
using CloudAnon.Pixels;

namespace CloudAnon.Core;

/// <summary>How files are de-identified: the profile options, UID root, and the reversible (encrypted) record of originals.</summary>
public sealed record DeidentificationOptions
{
    /// <summary>The PS3.15 E.3 options applied on top of the Basic Profile.</summary>
    public ProfileOptions ProfileOptions { get; init; }

    /// <summary>Root for new UIDs (gdcmanon's --root-uid); null gives 2.25 UUID-derived UIDs.</summary>
    public string? UidRoot { get; init; }

    /// <summary>Content cipher of the Encrypted Attributes Sequence.</summary>
    public ContentCipher Cipher { get; init; } = ContentCiphers.Default;

    /// <summary>
    /// Write no Encrypted Attributes Sequence (0400,0500): the originals are gone for good. Must be asked for
    /// explicitly; without it a certificate is required.
    /// </summary>
    public bool Irreversible { get; init; }

    /// <summary>
    /// De-identify again inputs that already carry de-identification marks (gdcmanon refuses them). Their earlier
    /// Encrypted Attributes Sequence travels inside the new one, so re-identification gives the file back as it arrived.
    /// </summary>
    public bool AllowAlreadyDeidentified { get; init; }

    /// <summary>
    /// Refuse files whose Burned In Annotation is YES after Clean Pixel Data (<see cref="DeidentificationFailure.BurnedInAnnotation"/>):
    /// their pixels may show identifying text. Checked before any replacement is resolved, so a refused file leaves no
    /// row in the mapping store.
    /// </summary>
    public bool RefuseBurnedInAnnotation { get; init; }

    /// <summary>
    /// Refuse files without Burned In Annotation of a modality known to burn text in (secondary capture, US…), checked
    /// as <see cref="RefuseBurnedInAnnotation"/> is (<see cref="DeidentificationFailure.SuspectedBurnedInAnnotation"/>).
    /// </summary>
    public bool RefuseSuspectedBurnedInAnnotation { get; init; }

    /// <summary>
    /// The Clean Pixel Data Option (PS3.15 E.3.1): off (default), on (blank burned-in text, then Burned In Annotation NO),
    /// or detect-only (quarantine files whose pixels show text).
    /// </summary>
    public CleanPixelDataMode CleanPixelData { get; init; }

    /// <summary>Which files have their pixels examined when <see cref="CleanPixelData"/> is not off.</summary>
    public CandidateRule PixelCandidates { get; init; } = new();

    /// <summary>
    /// Which text read in the pixels is blanked (or, under detect-only, quarantines): all (default), or only what matches
    /// the file's identifying values or a PHI shape, keeping clinical labels (laterality, units, scales, probe names).
    /// </summary>
    public PixelTextPolicy PixelText { get; init; } = PixelTextPolicy.All;

    /// <summary>
    /// The deployment's secret from which replacement UIDs are derived (the mapping key), so every process and day that
    /// shares it gives one original UID one replacement; null gives a random key per <see cref="Deidentifier"/>.
    /// </summary>
    public byte[]? ReplacementKey { get; init; }

    /// <summary>Keep standard (even-group) attributes the dictionary does not know; by default they are removed, as they cannot be judged.</summary>
    public bool RetainUnknownAttributes { get; init; }

    /// <summary>
    /// Keep the standard attributes Table E.1-1 has no row for, as tools driven by the table alone do. By default each is
    /// decided by <see cref="Profile.UnlistedAttributes"/>: kept where its value cannot identify anyone, otherwise removed
    /// (emptied or given a dummy where the IOD requires it).
    /// </summary>
    public bool RetainUnlistedAttributes { get; init; }

    /// <summary>
    /// Build an <see cref="Audit.AuditRecord"/> of what was done to each file (<see cref="DeidentificationResult.Audit"/>):
    /// attribute paths and actions, never a value.
    /// </summary>
    public bool RecordAudit { get; init; }

    /// <summary>Private attributes kept under Retain Safe Private, in addition to <see cref="SafePrivateAttribute.Defaults"/>.</summary>
    public IReadOnlyList<SafePrivateAttribute> AdditionalSafePrivateAttributes { get; init; } = [];
}

/// <summary>A private attribute known to hold no identifying information: its private creator and element byte (gggg,xxEE → EE).</summary>
public readonly record struct SafePrivateAttribute(string Creator, byte ElementByte)
{
    /// <summary>
    /// Acquisition parameters that diffusion and quantitative research needs and that identify no one.
    /// </summary>
    public static IReadOnlyList<SafePrivateAttribute> Defaults { get; } =
    [
        new("SIEMENS MR HEADER", 0x0C), // B_value
        new("SIEMENS MR HEADER", 0x0D), // DiffusionDirectionality
        new("SIEMENS MR HEADER", 0x0E), // DiffusionGradientDirection
        new("SIEMENS MR HEADER", 0x27), // BandwidthPerPixelPhaseEncode
        new("GEMS_PARM_01", 0x39), // b-value and slope/intercept of DWI
        new("Philips MR Imaging DD 001", 0x03), // b-value
        new("Philips MR Imaging DD 001", 0x04), // diffusion direction
    ];
}

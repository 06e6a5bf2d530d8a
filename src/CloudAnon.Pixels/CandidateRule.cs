using CloudAnon.Dicom;

namespace CloudAnon.Pixels;

/// <summary>Why a file's pixels are examined for burned-in text.</summary>
public enum CandidateReason
{
    /// <summary>Not a candidate: no pixel data, or a modality and SOP class that do not burn text in.</summary>
    None,

    /// <summary>Burned In Annotation (0028,0301) is YES.</summary>
    BurnedInAnnotationYes,

    /// <summary>A modality known to carry burned-in text (US, SC, OT, XC, ES, GM, SM, DOC, and projection radiography: CR, DX, MG, XA, RF, PX, IO), whatever the flag says.</summary>
    Modality,

    /// <summary>An SOP class known to carry burned-in text (secondary capture, ultrasound, visible light, projection radiography), whatever the flag says.</summary>
    SopClass,

    /// <summary>The setting makes every image a candidate.</summary>
    EveryImage,
}

/// <summary>
/// Decides, on the original header (before the profile changes anything), whether a file's pixels may carry burned-in
/// text. Burned In Annotation YES always makes a candidate. Otherwise the flag is often empty or wrong, so the modalities
/// and SOP classes that commonly carry text are candidates whatever it says — unless <see cref="TrustExplicitNo"/> is set
/// and the flag says NO. <see cref="EveryImage"/> makes every file with pixel data a candidate.
/// </summary>
public sealed record CandidateRule
{
    // Projection radiography is here because older CR and DX devices and film digitisers burn patient labels into the
    // image, and their Burned In Annotation is often missing.
    private static readonly HashSet<string> Modalities = ["US", "SC", "OT", "XC", "ES", "GM", "SM", "DOC", "CR", "DX", "MG", "XA", "RF", "PX", "IO"];

    // Each is the class itself or the root of its family (root + ".n").
    private static readonly string[] SopClassPrefixes =
    [
        "1.2.840.10008.5.1.4.1.1.7",      // Secondary Capture and the multi-frame ones (screenshots, scanned documents)
        "1.2.840.10008.5.1.4.1.1.6",      // Ultrasound Image (and retired)
        "1.2.840.10008.5.1.4.1.1.3",      // Ultrasound Multi-frame Image (and retired)
        "1.2.840.10008.5.1.4.1.1.77.1",   // Visible Light: endoscopy, microscopy, photography, ophthalmic, whole slide
        "1.2.840.10008.5.1.4.1.1.1",      // Computed Radiography, and Digital X-Ray, Mammography, Intra-oral (.1, .2, .3 and their processing classes)
        "1.2.840.10008.5.1.4.1.1.12",     // X-Ray Angiography and Radiofluoroscopy, enhanced and retired
        "1.2.840.10008.5.1.4.1.1.13.1.4", // Breast Projection X-Ray Image for Presentation
        "1.2.840.10008.5.1.4.1.1.13.1.5", // Breast Projection X-Ray Image for Processing
    ];

    /// <summary>An explicit Burned In Annotation NO is believed: such files are not candidates by modality or SOP class.</summary>
    public bool TrustExplicitNo { get; init; }

    /// <summary>Every image is a candidate (slow: detection runs on CT and MR too).</summary>
    public bool EveryImage { get; init; }

    public CandidateReason Evaluate(DicomDataset dataset)
    {
        if (!dataset.Contains(DicomTag.PixelData)) return CandidateReason.None;
        string? flag = dataset.GetAsciiString(DicomTags.BurnedInAnnotation);
        if (flag == "YES") return CandidateReason.BurnedInAnnotationYes;
        if (EveryImage) return CandidateReason.EveryImage;
        if (flag == "NO" && TrustExplicitNo) return CandidateReason.None;
        return KindKnownForText(dataset);
    }

    /// <summary>Whether the modality or SOP class is one that commonly carries burned-in text, whatever the flag says.</summary>
    public static bool IsKnownToCarryText(DicomDataset dataset) => KindKnownForText(dataset) != CandidateReason.None;

    private static CandidateReason KindKnownForText(DicomDataset dataset)
    {
        if (dataset.GetAsciiString(DicomTags.Modality) is { } modality && Modalities.Contains(modality)) return CandidateReason.Modality;
        string? sopClass = dataset.GetAsciiString(DicomTag.SopClassUid);
        return sopClass is not null && SopClassPrefixes.Any(p => sopClass == p || sopClass.StartsWith(p + ".", StringComparison.Ordinal)) ? CandidateReason.SopClass : CandidateReason.None;
    }
}

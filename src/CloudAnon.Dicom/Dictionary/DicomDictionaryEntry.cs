namespace CloudAnon.Dicom;

/// <summary>
/// One attribute of the PS3.6 data dictionary. Repeating attributes such as (60xx,3000) have the wildcard nibbles of
/// <see cref="Tag"/> zero and clear in <see cref="Mask"/>. <see cref="VR"/> is the first VR the standard allows
/// (<c>default</c> for items and delimiters, which have none); <see cref="AlternativeVRs"/> holds the others,
/// as SS in "US or SS".
/// </summary>
public sealed record DicomDictionaryEntry(
    DicomTag Tag, uint Mask, string Keyword, DicomVR VR, IReadOnlyList<DicomVR> AlternativeVRs, string VM, bool Retired)
{
    public bool HasVR => VR != default;

    public bool IsRepeating => Mask != DicomTagPattern.Exact;

    public bool Matches(DicomTag tag) => DicomTagPattern.Matches(tag, Tag, Mask);

    /// <summary>Whether the standard allows <paramref name="vr"/> for this attribute.</summary>
    public bool Allows(DicomVR vr) => HasVR && (vr == VR || AlternativeVRs.Contains(vr));
}

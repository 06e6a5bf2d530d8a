using CloudAnon.Core.Profile;
using CloudAnon.Dicom;

namespace CloudAnon.Core.Engine;

/// <summary>CID 7050 De-identification Method codes (PS3.16) for the profile and the options applied.</summary>
internal static class DeidentificationCodes
{
    public sealed record Code(string Value, string Meaning)
    {
        public DicomDataset ToItem()
        {
            var item = new DicomDataset();
            item.Set(DicomValueElement.FromString(DicomTags.CodeValue, DicomVR.SH, Value));
            item.Set(DicomValueElement.FromString(DicomTags.CodingSchemeDesignator, DicomVR.SH, "DCM"));
            item.Set(DicomValueElement.FromString(DicomTags.CodeMeaning, DicomVR.LO, Meaning));
            return item;
        }
    }

    private static readonly Code BasicProfile = new("113100", "Basic Application Confidentiality Profile");

    /// <summary>Added when the pixels were examined and burned-in text blanked (not a <see cref="ProfileOption"/>: it changes pixels, not attributes).</summary>
    public static readonly Code CleanPixelData = new("113101", "Clean Pixel Data Option");

    private static readonly (ProfileOption Option, Code Code)[] OptionCodes =
    [
        (ProfileOption.CleanGraphics, new("113103", "Clean Graphics Option")),
        (ProfileOption.CleanStructuredContent, new("113104", "Clean Structured Content Option")),
        (ProfileOption.CleanDescriptors, new("113105", "Clean Descriptors Option")),
        (ProfileOption.RetainLongitudinalFullDates, new("113106", "Retain Longitudinal Temporal Information Full Dates Option")),
        (ProfileOption.RetainLongitudinalModifiedDates, new("113107", "Retain Longitudinal Temporal Information Modified Dates Option")),
        (ProfileOption.RetainPatientCharacteristics, new("113108", "Retain Patient Characteristics Option")),
        (ProfileOption.RetainDeviceIdentity, new("113109", "Retain Device Identity Option")),
        (ProfileOption.RetainUids, new("113110", "Retain UIDs Option")),
        (ProfileOption.RetainSafePrivate, new("113111", "Retain Safe Private Option")),
        (ProfileOption.RetainInstitutionIdentity, new("113112", "Retain Institution Identity Option")),
    ];

    public static IReadOnlyList<Code> Applied(ProfileOptions options) =>
        [BasicProfile, .. OptionCodes.Where(o => options.Contains(o.Option)).Select(o => o.Code)];
}

namespace CloudAnon.Core.Profile;

/// <summary>The option columns of PS3.15 Table E.1-1 (E.3), in the table's order.</summary>
public enum ProfileOption
{
    RetainSafePrivate,
    RetainUids,
    RetainDeviceIdentity,
    RetainInstitutionIdentity,
    RetainPatientCharacteristics,
    RetainLongitudinalFullDates,
    RetainLongitudinalModifiedDates,
    CleanDescriptors,
    CleanStructuredContent,
    CleanGraphics,
}

/// <summary>A set of <see cref="ProfileOption"/>s; flag n is option n.</summary>
[Flags]
public enum ProfileOptions
{
    None = 0,
    RetainSafePrivate = 1 << ProfileOption.RetainSafePrivate,
    RetainUids = 1 << ProfileOption.RetainUids,
    RetainDeviceIdentity = 1 << ProfileOption.RetainDeviceIdentity,
    RetainInstitutionIdentity = 1 << ProfileOption.RetainInstitutionIdentity,
    RetainPatientCharacteristics = 1 << ProfileOption.RetainPatientCharacteristics,
    RetainLongitudinalFullDates = 1 << ProfileOption.RetainLongitudinalFullDates,
    RetainLongitudinalModifiedDates = 1 << ProfileOption.RetainLongitudinalModifiedDates,
    CleanDescriptors = 1 << ProfileOption.CleanDescriptors,
    CleanStructuredContent = 1 << ProfileOption.CleanStructuredContent,
    CleanGraphics = 1 << ProfileOption.CleanGraphics,
}

public static class ProfileOptionsExtensions
{
    public static bool Contains(this ProfileOptions options, ProfileOption option) =>
        ((int)options & (1 << (int)option)) != 0;

    public static ProfileOptions ToSet(this ProfileOption option) => (ProfileOptions)(1 << (int)option);
}

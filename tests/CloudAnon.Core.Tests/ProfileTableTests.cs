using System.Globalization;
using System.Text.Json;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests;

public class ProfileTableTests
{
    /// <summary>The reference's option keys, in <see cref="ProfileOption"/> order.</summary>
    private static readonly string[] OptionKeys =
    [
        "rtnSafePrivOpt", "rtnUIDsOpt", "rtnDevIdOpt", "rtnInstIdOpt", "rtnPatCharsOpt",
        "rtnLongFullDatesOpt", "rtnLongModifDatesOpt", "cleanDescOpt", "cleanStructContOpt", "cleanGraphOpt",
    ];

    [Fact]
    public void Every_row_and_column_agrees_with_the_reference()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(
            Path.Combine(Corpus.ReferenceDirectory, "confidentiality_profile_attributes.json")));
        var expectedRows = reference.RootElement.EnumerateArray().ToList();
        var rows = ProfileTable.Current.Rows.ToDictionary(r => (r.Tag.Value, r.Mask));
        var disagreements = new List<string>();

        foreach (var expected in expectedRows)
        {
            string tag = expected.GetProperty("tag").GetString()!;
            if (!rows.Remove(ReferencePattern(tag), out var row))
            {
                disagreements.Add($"{tag}: missing");
                continue;
            }
            void Check(string column, string actual, string wanted)
            {
                if (actual != wanted) disagreements.Add($"{tag} {column}: '{actual}', expected '{wanted}'");
            }

            // The generator collapses the line breaks of a few names ("Icon Image Sequence\n\n(see Note 11)").
            Check("name", row.Name, string.Join(' ', expected.GetProperty("name").GetString()!.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
            Check("stdCompIOD", row.InStandardCompositeIod ? "Y" : "N", expected.GetProperty("stdCompIOD").GetString()!);
            Check("basicProfile", row.Basic.ToString(), expected.GetProperty("basicProfile").GetString()!);
            for (int option = 0; option < OptionKeys.Length; option++)
            {
                string actual = row.Options.TryGetValue((ProfileOption)option, out var action) ? action.ToString() : "";
                string wanted = expected.TryGetProperty(OptionKeys[option], out var cell) ? cell.GetString()! : "";
                Check(OptionKeys[option], actual, wanted);
            }
        }
        disagreements.AddRange(rows.Values.Select(r => $"{r.Tag} mask {r.Mask:X8} ({r.Name}): not in the reference"));

        Assert.Equal(621, expectedRows.Count);
        Assert.True(disagreements.Count == 0, string.Join('\n', disagreements));
        // Rows keep the table's order.
        Assert.Equal(expectedRows.Select(e => ReferencePattern(e.GetProperty("tag").GetString()!)),
            ProfileTable.Current.Rows.Select(r => (r.Tag.Value, r.Mask)));
    }

    [Fact]
    public void Every_row_is_found_by_its_tag()
    {
        var misses = ProfileTable.Current.Rows
            .Where(row => !ProfileTable.Current.TryGetRow(Instance(row), out var found) || !ReferenceEquals(found, row))
            .Select(row => row.Name)
            .ToList();
        Assert.Empty(misses);

        // A concrete tag of the row: wildcard nibbles set to 2, e.g. (60xx,3000) → (6022,3000); (gggg,eeee) → (2223,2222).
        static DicomTag Instance(ProfileRow row) => new(row.Tag.Value | (0x2222_2222u & ~row.Mask));
    }

    [Theory]
    [InlineData(0x0010_1010u, ProfileOptions.None, "X")] // Patient's Age
    [InlineData(0x0010_1010u, ProfileOptions.RetainPatientCharacteristics, "K")]
    [InlineData(0x0010_1010u, ProfileOptions.RetainLongitudinalFullDates | ProfileOptions.CleanDescriptors, "X")] // options without a cell
    [InlineData(0x0008_0020u, ProfileOptions.None, "Z")] // Study Date
    [InlineData(0x0008_0020u, ProfileOptions.RetainLongitudinalFullDates, "K")]
    [InlineData(0x0008_0020u, ProfileOptions.RetainLongitudinalModifiedDates, "C")]
    [InlineData(0x0008_002Au, ProfileOptions.None, "X/Z/D")] // Acquisition DateTime: the combination is kept
    [InlineData(0x0008_1140u, ProfileOptions.None, "X/Z/U*")] // Referenced Image Sequence
    [InlineData(0x0008_0018u, ProfileOptions.None, "U")] // SOP Instance UID
    [InlineData(0x0008_0018u, ProfileOptions.RetainUids, "K")]
    [InlineData(0x0018_1002u, ProfileOptions.RetainDeviceIdentity, "K")] // Device UID: K under either option
    [InlineData(0x0018_1200u, ProfileOptions.RetainDeviceIdentity | ProfileOptions.RetainLongitudinalModifiedDates, "C")] // Modified Dates shifts, even against K
    [InlineData(0x0018_1200u, ProfileOptions.RetainLongitudinalModifiedDates, "C")] // Date of Last Calibration
    [InlineData(0x0010_2110u, ProfileOptions.CleanDescriptors | ProfileOptions.RetainPatientCharacteristics, "C")] // Allergies
    [InlineData(0x0029_1010u, ProfileOptions.None, "X")] // private data element
    [InlineData(0x0029_0010u, ProfileOptions.RetainSafePrivate, "C")] // private creator: the private row
    [InlineData(0x6001_3000u, ProfileOptions.None, "X")] // odd group 6001: private, not overlay data
    [InlineData(0x6002_3000u, ProfileOptions.CleanGraphics, "C")] // Overlay Data
    [InlineData(0x601E_4000u, ProfileOptions.None, "X")] // Overlay Comments
    [InlineData(0x5004_1234u, ProfileOptions.CleanGraphics, "C")] // curve data
    [InlineData(0x0028_0010u, ProfileOptions.None, "")] // Rows: not in the table
    [InlineData(0x6002_0010u, ProfileOptions.None, "")] // Overlay Rows: not in the table
    public void Resolve_applies_the_options_of_PS3_15_E_3(uint tag, ProfileOptions options, string expected)
    {
        Assert.Equal(expected, ProfileTable.Current.Resolve(new DicomTag(tag), options).ToString());
    }

    [Fact]
    public void Resolve_refuses_both_longitudinal_date_options()
    {
        Assert.Throws<ArgumentException>(() => ProfileTable.Current.Resolve(new DicomTag(0x0008, 0x0020),
            ProfileOptions.RetainLongitudinalFullDates | ProfileOptions.RetainLongitudinalModifiedDates));
    }

    [Theory]
    [InlineData("D", ProfileActionCodes.Dummy)]
    [InlineData("X/Z", ProfileActionCodes.Remove | ProfileActionCodes.Zero)]
    [InlineData("Z/D", ProfileActionCodes.Zero | ProfileActionCodes.Dummy)]
    [InlineData("X/Z/D", ProfileActionCodes.Remove | ProfileActionCodes.Zero | ProfileActionCodes.Dummy)]
    [InlineData("X/Z/U*", ProfileActionCodes.Remove | ProfileActionCodes.Zero | ProfileActionCodes.ReplaceUid)]
    [InlineData("", ProfileActionCodes.None)]
    public void Actions_parse_and_print_as_in_the_standard(string text, ProfileActionCodes codes)
    {
        Assert.True(ProfileAction.TryParse(text, out var action));
        Assert.Equal(codes, action.Codes);
        Assert.Equal(text, action.ToString());
        Assert.Equal(text.Contains('/'), action.IsCombination);
    }

    [Theory]
    [InlineData("Q")]
    [InlineData("X/X")]
    [InlineData("X/")]
    [InlineData("XZ")]
    public void Unknown_action_text_is_refused(string text)
    {
        Assert.False(ProfileAction.TryParse(text, out _));
    }

    [Fact]
    public void Options_set_contains_its_options()
    {
        var options = ProfileOption.RetainUids.ToSet() | ProfileOptions.CleanGraphics;
        Assert.True(options.Contains(ProfileOption.RetainUids));
        Assert.True(options.Contains(ProfileOption.CleanGraphics));
        Assert.False(options.Contains(ProfileOption.RetainSafePrivate));
    }

    /// <summary>"(60XX,3000)" → (6000,3000) with mask FF00FFFF; the private-attributes row → any odd group.</summary>
    private static (uint Value, uint Mask) ReferencePattern(string tag)
    {
        if (tag == "(GGGG,EEEE) WHERE GGGG IS ODD") return (0x0001_0000, 0x0001_0000);
        uint value = 0, mask = 0;
        foreach (char c in tag.Trim('(', ')').Replace(",", "", StringComparison.Ordinal))
        {
            bool wildcard = c is 'x' or 'X';
            value = (value << 4) | (wildcard ? 0u : uint.Parse(c.ToString(), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            mask = (mask << 4) | (wildcard ? 0u : 0xFu);
        }
        return (value, mask);
    }
}

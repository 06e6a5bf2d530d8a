using System.Globalization;
using System.Text.Json;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Dicom.Tests;

public class DictionaryTests
{
    /// <summary>A row of ../shared/reference/attributes.json (PS3.6, innolitics extract).</summary>
    private sealed record ReferenceAttribute(string Tag, string Keyword, string ValueRepresentation, string ValueMultiplicity, string Retired)
    {
        /// <summary>"(60XX,3000)" → (6000,3000) with mask FF00FFFF, parsed here independently of the code under test.</summary>
        public (uint Value, uint Mask) Pattern
        {
            get
            {
                string hex = Tag.Trim('(', ')').Replace(",", "", StringComparison.Ordinal);
                uint value = 0, mask = 0;
                foreach (char c in hex)
                {
                    bool wildcard = c is 'x' or 'X';
                    value = (value << 4) | (wildcard ? 0u : uint.Parse(c.ToString(), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    mask = (mask << 4) | (wildcard ? 0u : 0xFu);
                }
                return (value, mask);
            }
        }

        /// <summary>"US or SS" → [US, SS]; items and delimiters ("See Note 2") and a few retired entries have none.</summary>
        public string[] VRs => ValueRepresentation is "" or "See Note 2" ? [] : ValueRepresentation.Split(" or ");
    }

    private static readonly Lazy<IReadOnlyList<ReferenceAttribute>> Reference = new(() =>
        JsonSerializer.Deserialize<List<ReferenceAttribute>>(
            File.ReadAllText(Path.Combine(Corpus.ReferenceDirectory, "attributes.json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!);

    [Fact]
    public void Every_reference_entry_agrees_with_the_dictionary_and_nothing_else_is_in_it()
    {
        var entries = DicomDictionary.Entries.ToDictionary(e => (e.Tag.Value, e.Mask));
        var disagreements = new List<string>();

        foreach (var reference in Reference.Value)
        {
            if (!entries.Remove(reference.Pattern, out var entry))
            {
                disagreements.Add($"{reference.Tag}: missing");
                continue;
            }
            string[] vrs = entry.HasVR ? [entry.VR.ToString(), .. entry.AlternativeVRs.Select(vr => vr.ToString())] : [];
            if (entry.Keyword != reference.Keyword) disagreements.Add($"{reference.Tag}: keyword {entry.Keyword}, expected {reference.Keyword}");
            if (!vrs.SequenceEqual(reference.VRs)) disagreements.Add($"{reference.Tag}: VR {string.Join('/', vrs)}, expected {reference.ValueRepresentation}");
            if (entry.VM != reference.ValueMultiplicity) disagreements.Add($"{reference.Tag}: VM {entry.VM}, expected {reference.ValueMultiplicity}");
            if (entry.Retired != (reference.Retired == "Y")) disagreements.Add($"{reference.Tag}: retired {entry.Retired}, expected {reference.Retired}");
        }
        disagreements.AddRange(entries.Values.Select(e => $"{e.Tag} mask {e.Mask:X8}: not in the reference"));

        Assert.Equal(5129, Reference.Value.Count);
        Assert.True(disagreements.Count == 0, string.Join('\n', disagreements));
        Assert.Equal(Reference.Value.Count, DicomDictionary.Entries.Count);
    }

    [Fact]
    public void Every_reference_entry_is_found_by_tag_and_by_keyword()
    {
        var disagreements = new List<string>();
        foreach (var reference in Reference.Value)
        {
            // A concrete tag of a repeating entry: wildcard nibbles set to 2, e.g. (60xx,3000) → (6022,3000).
            var (value, mask) = reference.Pattern;
            var tag = new DicomTag(value | (0x22222222u & ~mask));
            if (!DicomDictionary.TryGetEntry(tag, out var entry) || entry.Keyword != reference.Keyword || entry.Mask != mask)
            {
                disagreements.Add($"{reference.Tag}: lookup of {tag} failed");
            }
            if (reference.Keyword.Length > 0
                && (!DicomDictionary.TryGetTag(reference.Keyword, out var byKeyword) || byKeyword.Value != value))
            {
                disagreements.Add($"{reference.Keyword}: keyword lookup failed");
            }
        }
        Assert.True(disagreements.Count == 0, string.Join('\n', disagreements));
    }

    [Theory]
    [InlineData(0x0010_0010u, "PN")] // Patient's Name
    [InlineData(0x6002_3000u, "OB")] // Overlay Data, "OB or OW": the first
    [InlineData(0x601E_0010u, "US")] // Overlay Rows in the last overlay group
    [InlineData(0x0028_1200u, "US")] // Gray Lookup Table Data, "US or SS or OW"
    [InlineData(0x0020_3105u, "CS")] // Source Image IDs (0020,31xx)
    [InlineData(0x0029_0010u, "LO")] // private creator
    [InlineData(0x0029_00FFu, "LO")] // last private creator of a group
    [InlineData(0x0029_1010u, "UN")] // private data element
    [InlineData(0x6001_3000u, "UN")] // odd group 6001 is private, not an overlay
    [InlineData(0x0009_0000u, "UL")] // private group length
    [InlineData(0x0008_0000u, "UL")] // group length absent from PS3.6
    [InlineData(0x1010_0000u, "UL")] // group length, not Zonal Map (1010,xxxx)
    [InlineData(0x0011_0008u, "UN")] // odd group, below the private creator range
    [InlineData(0x0008_FFF0u, "UN")] // unknown standard tag
    [InlineData(0xFFFE_E000u, "UN")] // item: no VR
    public void GetVR_follows_the_dictionary_and_the_rules_for_tags_it_lacks(uint tag, string expected)
    {
        Assert.Equal(expected, DicomDictionary.GetVR(new DicomTag(tag)).ToString());
    }

    [Fact]
    public void Entries_carry_alternative_VRs_and_items_have_none()
    {
        Assert.True(DicomDictionary.TryGetEntry(new DicomTag(0x6000, 0x3000), out var overlayData));
        Assert.Equal(("OverlayData", DicomVR.OB, 0xFF00FFFFu), (overlayData.Keyword, overlayData.VR, overlayData.Mask));
        Assert.Equal([DicomVR.OW], overlayData.AlternativeVRs);
        Assert.True(overlayData.Allows(DicomVR.OW));
        Assert.False(overlayData.Allows(DicomVR.UN));

        Assert.True(DicomDictionary.TryGetEntry(DicomTag.Item, out var item));
        Assert.False(item.HasVR);
        Assert.Empty(item.AlternativeVRs);

        Assert.False(DicomDictionary.TryGetEntry(new DicomTag(0x0029, 0x1010), out _));
        Assert.False(DicomDictionary.TryGetTag("NotAKeyword", out _));
        Assert.False(DicomDictionary.TryGetTag("", out _));
    }
}

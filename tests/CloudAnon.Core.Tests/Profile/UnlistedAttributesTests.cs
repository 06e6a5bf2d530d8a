using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using CloudAnon.Generate;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Profile;

/// <summary>The allow-list over the dictionary: every attribute decided exactly once, each decision with its reason, and the committed data as its generator writes it.</summary>
public sealed class UnlistedAttributesTests
{
    /// <summary>VRs whose values can name a person, a place, a date or an instance: an allow-list entry that keeps one needs a reason of its own.</summary>
    private static readonly DicomVR[] IdentifyingVRs =
    [
        DicomVR.PN, DicomVR.LO, DicomVR.SH, DicomVR.ST, DicomVR.LT, DicomVR.UT, DicomVR.UC, DicomVR.UR,
        DicomVR.DA, DicomVR.DT, DicomVR.TM, DicomVR.AE, DicomVR.UI, DicomVR.UN,
    ];

    private static string Profile(string file) => Path.Combine(Corpus.RepositoryRoot, "src", "CloudAnon.Core", "Profile", file);

    [Fact]
    public void Every_dictionary_attribute_is_decided_by_exactly_one_of_a_table_row_a_keep_entry_and_the_remove_rule()
    {
        var problems = new List<string>();
        int rows = 0, keeps = 0, removes = 0;
        foreach (var attribute in DicomDictionary.Entries.Where(a => a.HasVR))
        {
            bool row = ProfileTable.Current.Rows.Any(r => !r.IsPattern ? r.Tag == attribute.Tag && !attribute.IsRepeating : (attribute.Tag.Value & r.Mask) == r.Tag.Value && (attribute.Mask & r.Mask) == r.Mask);
            bool listed = UnlistedAttributes.Current.TryGet(attribute, out var entry);
            bool keep = listed && entry.Keep, remove = listed && !entry.Keep;
            int decisions = (row ? 1 : 0) + (keep ? 1 : 0) + (remove ? 1 : 0);
            if (decisions != 1) problems.Add($"{attribute.Keyword}: {decisions} decisions");
            (rows, keeps, removes) = (rows + (row ? 1 : 0), keeps + (keep ? 1 : 0), removes + (remove ? 1 : 0));
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.Equal(DicomDictionary.Entries.Count(a => a.HasVR), rows + keeps + removes);
        Assert.Equal(UnlistedAttributes.Current.Entries.Count, keeps + removes);
    }

    [Fact]
    public void An_attribute_of_an_identifying_vr_is_kept_only_with_a_reason_of_its_own_and_one_of_another_vr_removed_only_so()
    {
        var genericReasons = UnlistedAttributes.Current.Entries
            .GroupBy(e => e.Reason).Where(g => g.Count() > 20).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in UnlistedAttributes.Current.Entries)
        {
            var vr = DicomDictionary.Entries.First(a => a.Tag == entry.Tag && a.Mask == entry.Mask).VR;
            bool groupLength = entry.Tag.Element == 0x0000 && entry.Mask == DicomTagPattern.Exact;
            bool identifying = IdentifyingVRs.Contains(vr) || entry.Tag.Group == 0x0002 || groupLength;
            Assert.False(string.IsNullOrWhiteSpace(entry.Reason), entry.Keyword);
            // A decision against the VR's rule is the hand review's: its reason is not the rule's.
            if (entry.Keep == identifying) Assert.DoesNotContain(entry.Reason, genericReasons);
        }
    }

    [Theory]
    [InlineData(0x0042, 0x0010, false)] // Document Title
    [InlineData(0x0040, 0xE001, false)] // HL7 Instance Identifier
    [InlineData(0x0010, 0x0033, false)] // Patient's Birth Date in Alternative Calendar
    [InlineData(0x0040, 0x0400, false)] // Comments on the Scheduled Procedure Step
    [InlineData(0x0008, 0x0051, false)] // Issuer of Accession Number Sequence
    [InlineData(0x0070, 0x0006, false)] // Unformatted Text Value
    [InlineData(0x0008, 0x1190, false)] // Retrieve URL
    [InlineData(0x0040, 0xE011, false)] // Retrieve Location UID
    [InlineData(0x0028, 0x1055, true)] // Window Center & Width Explanation
    [InlineData(0x0008, 0x0104, true)] // Code Meaning
    [InlineData(0x0008, 0x1150, true)] // Referenced SOP Class UID
    [InlineData(0x0028, 0x0010, true)] // Rows
    [InlineData(0x0012, 0x0062, true)] // Patient Identity Removed
    [InlineData(0x0028, 0x0303, true)] // Longitudinal Temporal Information Modified
    [InlineData(0x0040, 0x0100, true)] // Scheduled Procedure Step Sequence: its items are decided element by element
    public void The_issues_examples_are_decided_as_reviewed(ushort group, ushort element, bool kept)
    {
        Assert.True(DicomDictionary.TryGetEntry(new DicomTag(group, element), out var attribute));
        Assert.True(UnlistedAttributes.Current.TryGet(attribute, out var entry));
        Assert.Equal(kept, entry.Keep);
    }

    [Fact]
    public void Regenerating_the_allow_list_gives_the_committed_bytes()
    {
        string regenerated = Path.Combine(Path.GetTempPath(), $"unlisted-attributes-{Guid.NewGuid():N}.tsv");
        try
        {
            UnlistedAttributeGenerator.Generate(
                Path.Combine(Corpus.RepositoryRoot, "src", "CloudAnon.Dicom", "Dictionary", "dictionary.tsv"), Profile("confidentiality-profile.tsv"),
                Path.Combine(Corpus.RepositoryRoot, "tools", "CloudAnon.Generate", "unlisted-attributes-review.tsv"), regenerated);
            Assert.Equal(File.ReadAllBytes(Profile("unlisted-attributes.tsv")), File.ReadAllBytes(regenerated));
        }
        finally
        {
            File.Delete(regenerated);
        }
    }
}

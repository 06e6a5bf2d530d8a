using CloudAnon.Core.Engine;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using static CloudAnon.Core.Tests.Engine.EnginePartFixtures;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>ElementPolicy's contract: one element's action from its Table E.1-1 row, the options, its place and its Type.</summary>
public sealed class ElementPolicyTests
{
    private static ElementAction Decide(DicomDataset dataset, DicomTag tag, ProfileOptions options = ProfileOptions.None,
        ItemContext context = ItemContext.Normal) =>
        Policy(dataset, options).Decide(dataset, dataset.Find(tag)!, context, [], uninterpretable: false);

    [Fact]
    public void Patient_id_and_name_get_the_pseudonym_kept_in_the_mapping_store()
    {
        var dataset = CtDataset();
        Assert.Equal(ElementAction.Pseudonym, Decide(dataset, DicomTag.PatientId));
        Assert.Equal(ElementAction.Pseudonym, Decide(dataset, DicomTags.PatientName));
    }

    [Fact]
    public void A_row_of_U_replaces_the_uid_unless_Retain_UIDs_keeps_it()
    {
        var dataset = CtDataset();
        Assert.Equal(ElementAction.ReplaceUid, Decide(dataset, DicomTag.StudyInstanceUid));
        Assert.Equal(ElementAction.Keep, Decide(dataset, DicomTag.StudyInstanceUid, ProfileOptions.RetainUids));
    }

    [Fact]
    public void Study_date_follows_its_row_Z_K_or_C_by_temporal_option()
    {
        var dataset = CtDataset();
        Assert.Equal(ElementAction.Zero, Decide(dataset, DicomTags.StudyDate));
        Assert.Equal(ElementAction.Keep, Decide(dataset, DicomTags.StudyDate, ProfileOptions.RetainLongitudinalFullDates));
        Assert.Equal(ElementAction.Clean, Decide(dataset, DicomTags.StudyDate, ProfileOptions.RetainLongitudinalModifiedDates));
    }

    [Fact]
    public void Group_lengths_stale_file_meta_and_an_earlier_encrypted_attributes_sequence_are_removed()
    {
        var dataset = CtDataset();
        dataset.Set(new DicomValueElement(new DicomTag(0x0008, 0x0000), DicomVR.UL, new byte[4]));
        dataset.Set(DicomValueElement.FromString(DicomTag.TransferSyntaxUid, DicomVR.UI, "1.2.840.10008.1.2.1"));
        dataset.Set(new DicomSequence(DicomTags.EncryptedAttributesSequence, [new DicomDataset()]));
        Assert.Equal(ElementAction.Remove, Decide(dataset, new DicomTag(0x0008, 0x0000)));
        Assert.Equal(ElementAction.Remove, Decide(dataset, DicomTag.TransferSyntaxUid));
        Assert.Equal(ElementAction.Remove, Decide(dataset, DicomTags.EncryptedAttributesSequence));
    }

    [Fact]
    public void Private_elements_stay_only_under_Retain_Safe_Private_and_only_when_known_safe()
    {
        var tag = new DicomTag(0x0029, 0x1010);
        var dataset = CtDataset();
        Assert.Equal(ElementAction.Remove, Policy(dataset, isSafePrivate: (_, _) => true).DecidePrivate("SAFE CREATOR", tag));
        Assert.Equal(ElementAction.Keep, Policy(dataset, ProfileOptions.RetainSafePrivate, (creator, element) => creator == "SAFE CREATOR" && element == 0x10)
            .DecidePrivate("SAFE CREATOR", tag));
        Assert.Equal(ElementAction.Remove, Policy(dataset, ProfileOptions.RetainSafePrivate, (creator, _) => creator == "SAFE CREATOR")
            .DecidePrivate("OTHER CREATOR", tag));
        Assert.Equal(ElementAction.Remove, Policy(dataset, ProfileOptions.RetainSafePrivate, (_, _) => true).DecidePrivate(null, tag));
    }

    [Fact]
    public void A_value_that_did_not_parse_is_never_kept_and_one_that_needs_reading_refuses_the_file()
    {
        var dataset = CtDataset();
        var date = dataset.Find(DicomTags.StudyDate)!;
        var keeping = Policy(dataset, ProfileOptions.RetainLongitudinalFullDates);
        Assert.Equal(ElementAction.Keep, keeping.Decide(dataset, date, ItemContext.Normal, [], uninterpretable: false));
        Assert.Equal(ElementAction.Remove, keeping.Decide(dataset, date, ItemContext.Normal, [], uninterpretable: true));

        var shifting = Policy(dataset, ProfileOptions.RetainLongitudinalModifiedDates);
        var refused = Assert.Throws<DeidentificationException>(() => shifting.Decide(dataset, date, ItemContext.Normal, [], uninterpretable: true));
        Assert.Equal(DeidentificationFailure.UninterpretableValue, refused.Failure);
    }

    [Fact]
    public void A_sequences_action_sets_the_context_of_its_items()
    {
        Assert.Equal(ItemContext.Dummy, ElementPolicy.ContextForItems(ElementAction.Dummy, ItemContext.Normal));
        Assert.Equal(ItemContext.Clean, ElementPolicy.ContextForItems(ElementAction.Clean, ItemContext.Normal));
        // Inside a dummy sequence a cleaned one stays dummy: the stricter context wins.
        Assert.Equal(ItemContext.Dummy, ElementPolicy.ContextForItems(ElementAction.Clean, ItemContext.Dummy));
        Assert.Equal(ItemContext.Clean, ElementPolicy.ContextForItems(ElementAction.Keep, ItemContext.Clean));
    }

    [Fact]
    public void Kept_by_names_the_rule_that_keeps_an_element()
    {
        var dataset = CtDataset();
        dataset.Set(DicomValueElement.FromString(new DicomTag(0x0029, 0x1010), DicomVR.LO, "x"));
        var policy = Policy(dataset, ProfileOptions.RetainLongitudinalFullDates);
        Assert.Equal(KeepBasis.Option, policy.KeptBy(dataset.Find(DicomTags.StudyDate)!, ItemContext.Normal));
        Assert.Equal(KeepBasis.Option, policy.KeptBy(dataset.Find(new DicomTag(0x0029, 0x1010))!, ItemContext.Normal));
    }

    [Theory]
    [InlineData(0x6000, 0x3000, true)]
    [InlineData(0x601E, 0x3000, true)]
    [InlineData(0x6001, 0x3000, false)]
    [InlineData(0x6000, 0x0010, false)]
    public void Overlay_data_is_recognised_in_every_overlay_group(int group, int element, bool expected) =>
        Assert.Equal(expected, ElementPolicy.IsOverlayData(new DicomTag((ushort)group, (ushort)element)));
}

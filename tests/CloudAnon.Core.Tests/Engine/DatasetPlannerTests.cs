using CloudAnon.Core.Engine;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using static CloudAnon.Core.Tests.Engine.EnginePartFixtures;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>DatasetPlanner's contract: one planned action per element at every depth, and the rules that span elements of one data set.</summary>
public sealed class DatasetPlannerTests
{
    [Fact]
    public void Every_element_is_planned_once_in_order_with_the_policys_action()
    {
        var dataset = CtDataset();
        var plan = Plan(dataset);
        Assert.Same(dataset, plan.Source);
        Assert.Equal(dataset.Elements, plan.Elements.Select(p => p.Element));
        var policy = Policy(dataset);
        foreach (var planned in plan.Elements)
        {
            Assert.Equal(policy.Decide(dataset, planned.Element, ItemContext.Normal, [], uninterpretable: false), planned.Action);
        }
    }

    [Fact]
    public void Items_are_planned_in_the_context_of_their_sequence_with_the_inherited_character_set()
    {
        var dataset = CtDataset();
        dataset.Set(DicomValueElement.FromString(DicomTag.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100"));
        var item = new DicomDataset();
        item.Set(DicomValueElement.FromString(DicomTags.CodeMeaning, DicomVR.LO, "chest"));
        // Request Attributes Sequence: X in the Basic Profile, C under Clean Descriptors.
        dataset.Set(new DicomSequence(DicomTags.RequestAttributesSequence, [item]));

        var removed = Planned(Plan(dataset), DicomTags.RequestAttributesSequence);
        Assert.Equal(ElementAction.Remove, removed.Action);

        var cleaned = Planned(Plan(dataset, ProfileOptions.CleanDescriptors), DicomTags.RequestAttributesSequence);
        Assert.Equal(ElementAction.Clean, cleaned.Action);
        var itemPlan = Assert.Single(cleaned.Items);
        Assert.Same(item, itemPlan.Source);
        Assert.Equal(ItemContext.Clean, itemPlan.Context);
        Assert.Equal("Müller", itemPlan.CharacterSet.Decode(new byte[] { 0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72 }, DicomVR.LO)); // ü is 0xFC in Latin-1
    }

    [Fact]
    public void A_private_creator_stays_only_with_a_kept_element_of_its_block()
    {
        var dataset = CtDataset();
        dataset.Set(DicomValueElement.FromString(new DicomTag(0x0029, 0x0010), DicomVR.LO, "SAFE CREATOR"));
        dataset.Set(DicomValueElement.FromString(new DicomTag(0x0029, 0x1010), DicomVR.LO, "kept"));
        dataset.Set(DicomValueElement.FromString(new DicomTag(0x0029, 0x0011), DicomVR.LO, "OTHER CREATOR"));
        dataset.Set(DicomValueElement.FromString(new DicomTag(0x0029, 0x1110), DicomVR.LO, "removed"));

        var plan = Plan(dataset, ProfileOptions.RetainSafePrivate, (creator, element) => creator == "SAFE CREATOR" && element == 0x10);

        Assert.Equal(ElementAction.Keep, Planned(plan, new DicomTag(0x0029, 0x1010)).Action);
        Assert.True(Planned(plan, new DicomTag(0x0029, 0x0010)).Stays);
        Assert.Equal(ElementAction.Remove, Planned(plan, new DicomTag(0x0029, 0x1110)).Action);
        Assert.Equal(ElementAction.Remove, Planned(plan, new DicomTag(0x0029, 0x0011)).Action);
    }

    [Fact]
    public void An_overlay_plane_whose_data_goes_goes_whole()
    {
        var dataset = CtDataset();
        dataset.Set(new DicomValueElement(new DicomTag(0x6000, 0x0010), DicomVR.US, new byte[] { 2, 0 }));
        dataset.Set(new DicomValueElement(new DicomTag(0x6000, 0x0011), DicomVR.US, new byte[] { 2, 0 }));
        dataset.Set(new DicomValueElement(new DicomTag(0x6000, 0x3000), DicomVR.OW, new byte[] { 0xFF, 0x00 }));

        var plan = Plan(dataset);

        Assert.All(plan.Elements.Where(p => p.Element.Tag.Group == 0x6000), p => Assert.Equal(ElementAction.Remove, p.Action));
    }
}

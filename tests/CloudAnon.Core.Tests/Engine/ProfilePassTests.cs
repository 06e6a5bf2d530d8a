using CloudAnon.Core.Engine;
using CloudAnon.Dicom;
using static CloudAnon.Core.Tests.Engine.EnginePartFixtures;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>ProfilePass's contract: applies a plan's actions with the resolved replacements, and hands back every original it changed.</summary>
public sealed class ProfilePassTests
{
    private const string NewStudyUid = "2.25.1234";

    private static readonly Replacements Resolved = new(
        new Dictionary<string, string> { ["1.2.3.4.5"] = NewStudyUid },
        "ANON-0000000000AA",
        DateOffsetDays: -400,
        new TextCleaner(IdentifyingText.Of(PlanRemovingName("Doe")), uid => uid, dateOffsetDays: -400, keepDates: false, useGazetteer: false));

    // The cleaner cuts what the profile takes away: here a Patient's Name the plan removes.
    private static DatasetPlan PlanRemovingName(string name)
    {
        var source = new DicomDataset();
        source.Set(DicomValueElement.FromString(DicomTags.PatientName, DicomVR.PN, name));
        return new DatasetPlan(source, DicomCharacterSet.Default, ItemContext.Normal,
            [.. source.Elements.Select(e => new PlannedElement(e, ElementAction.Remove, []))]);
    }

    private static (DicomDataset Result, List<DicomElement> Originals) Apply(DicomDataset dataset, params (DicomTag Tag, ElementAction Action)[] actions)
    {
        var elements = dataset.Elements
            .Select(e => new PlannedElement(e, actions.Single(a => a.Tag == e.Tag).Action, []))
            .ToArray();
        var plan = new DatasetPlan(dataset, DicomCharacterSet.Default, ItemContext.Normal, elements);
        return new ProfilePass(Resolved).Apply(plan, AsRead(dataset));
    }

    [Fact]
    public void Each_action_gives_its_value_and_every_changed_element_is_an_original()
    {
        var dataset = CtDataset();
        var (result, originals) = Apply(dataset,
            (DicomTag.SopClassUid, ElementAction.Keep),
            (DicomTag.SopInstanceUid, ElementAction.Remove),
            (DicomTags.StudyDate, ElementAction.Clean),
            (DicomTags.PatientName, ElementAction.Pseudonym),
            (DicomTag.PatientId, ElementAction.Zero),
            (DicomTag.StudyInstanceUid, ElementAction.ReplaceUid));

        Assert.Same(dataset.Find(DicomTag.SopClassUid), result.Find(DicomTag.SopClassUid));
        Assert.False(result.Contains(DicomTag.SopInstanceUid));
        Assert.Equal("20221227", result.GetAsciiString(DicomTags.StudyDate)); // 2024-01-31 less 400 days
        Assert.Equal("ANON-0000000000AA", result.GetAsciiString(DicomTags.PatientName));
        Assert.Equal(0L, ((DicomValueElement)result.Find(DicomTag.PatientId)!).Length);
        Assert.Equal(NewStudyUid, result.GetAsciiString(DicomTag.StudyInstanceUid));

        Assert.Equal(
            new[] { DicomTag.SopInstanceUid, DicomTags.StudyDate, DicomTags.PatientName, DicomTag.PatientId, DicomTag.StudyInstanceUid }.Order(),
            originals.Select(o => o.Tag).Order());
        Assert.All(originals, original => Assert.Same(dataset.Find(original.Tag), original));
    }

    [Fact]
    public void A_D_on_an_identification_code_sequence_leaves_one_local_dummy_code()
    {
        var dataset = new DicomDataset();
        var code = new DicomDataset();
        code.Set(DicomValueElement.FromString(DicomTags.CodeValue, DicomVR.SH, "HOSP-42"));
        dataset.Set(new DicomSequence(DicomTags.InstitutionCodeSequence, [code]));

        var (result, _) = Apply(dataset, (DicomTags.InstitutionCodeSequence, ElementAction.DummyCode));

        var item = Assert.Single(((DicomSequence)result.Find(DicomTags.InstitutionCodeSequence)!).Items);
        Assert.Equal(ProfilePass.DummyCodingScheme, item.GetAsciiString(DicomTags.CodingSchemeDesignator));
        Assert.Equal("0", item.GetAsciiString(DicomTags.CodeValue));
    }

    [Fact]
    public void Cleaned_text_loses_the_identifying_values_and_keeps_the_rest()
    {
        var dataset = new DicomDataset();
        dataset.Set(DicomValueElement.FromString(DicomTags.StudyDescription, DicomVR.LO, "CT chest Doe follow-up"));

        var (result, originals) = Apply(dataset, (DicomTags.StudyDescription, ElementAction.Clean));

        string cleaned = result.GetAsciiString(DicomTags.StudyDescription)!;
        Assert.DoesNotContain("Doe", cleaned, StringComparison.Ordinal);
        Assert.Contains("chest", cleaned, StringComparison.Ordinal);
        Assert.Single(originals);
    }
}

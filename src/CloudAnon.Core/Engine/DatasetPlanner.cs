using System.Runtime.InteropServices;
using CloudAnon.Dicom;
using CloudAnon.Pixels;

namespace CloudAnon.Core.Engine;

/// <summary>
/// The one place that decides what happens to every element of a file in its context: it walks the interpreted data
/// set once, keeping the character set, the item context and the sequence path as it descends, asks the
/// <see cref="ElementPolicy"/> for each element, and then applies the rules that span elements of one data set:
/// private creators stay only with a kept private element of their block, overlay planes whose data goes go whole, and
/// attributes that only mean something with another go when that one goes.
/// </summary>
internal sealed class DatasetPlanner(ElementPolicy policy, InterpretedDataset interpreted)
{
    /// <summary>Attribute → the attribute it qualifies: Responsible Person Role is 1C on Responsible Person; an identification sequence's items correspond to the names it identifies.</summary>
    private static readonly (DicomTag Dependent, DicomTag Qualified)[] Dependents =
    [
        (DicomTags.ResponsiblePersonRole, DicomTags.ResponsiblePerson),
        (DicomTags.OperatorIdentificationSequence, DicomTags.OperatorsName),
        (DicomTags.PerformingPhysicianIdentificationSequence, DicomTags.PerformingPhysicianName),
        (DicomTags.PhysiciansOfRecordIdentificationSequence, DicomTags.PhysiciansOfRecord),
        (DicomTags.PhysiciansReadingStudyIdentificationSequence, DicomTags.NameOfPhysiciansReadingStudy),
        (DicomTags.ReferringPhysicianIdentificationSequence, DicomTags.ReferringPhysicianName),
        (DicomTags.ConsultingPhysicianIdentificationSequence, DicomTags.ConsultingPhysicianName),
        (DicomTags.ScheduledPerformingPhysicianIdentificationSequence, DicomTags.ScheduledPerformingPhysicianName),
    ];

    private readonly List<DicomTag> _path = [];

    public DatasetPlan Plan() => Plan(interpreted.Dataset, DicomCharacterSet.Default, ItemContext.Normal);

    private static DicomCharacterSet CharacterSetOf(DicomDataset dataset, DicomCharacterSet inherited) =>
        dataset.Find(DicomTag.SpecificCharacterSet) is DicomValueElement { Bulk: null } value
            ? DicomCharacterSet.FromSpecificCharacterSet(value.GetAsciiString())
            : inherited;

    private DatasetPlan Plan(DicomDataset dataset, DicomCharacterSet inherited, ItemContext context)
    {
        var characterSet = CharacterSetOf(dataset, inherited);
        var actions = new ElementAction[dataset.Count];
        for (int i = 0; i < actions.Length; i++) actions[i] = Decide(dataset, dataset.Elements[i], context);
        ApplyDataSetRules(dataset, actions);

        var elements = new PlannedElement[actions.Length];
        for (int i = 0; i < elements.Length; i++)
        {
            var element = dataset.Elements[i];
            elements[i] = new PlannedElement(element, actions[i], element is DicomSequence sequence ? PlanItems(sequence, characterSet, ElementPolicy.ContextForItems(actions[i], context)) : []);
        }
        return new DatasetPlan(dataset, characterSet, context, elements);
    }

    private DatasetPlan[] PlanItems(DicomSequence sequence, DicomCharacterSet characterSet, ItemContext context)
    {
        _path.Add(sequence.Tag);
        var items = sequence.Items.Select(item => Plan(item, characterSet, context)).ToArray();
        _path.RemoveAt(_path.Count - 1);
        return items;
    }

    private ElementAction Decide(DicomDataset dataset, DicomElement element, ItemContext context)
    {
        var tag = element.Tag;
        if (tag.IsPrivateCreator) return ElementAction.Remove; // until a kept element of its block claims it
        if (tag.IsPrivate) return policy.DecidePrivate(dataset.GetAsciiString(tag.PrivateCreator), tag);
        return policy.Decide(dataset, element, context, CollectionsMarshal.AsSpan(_path), interpreted.Uninterpretable.Contains(element));
    }

    private static void ApplyDataSetRules(DicomDataset dataset, ElementAction[] actions)
    {
        var keptPrivateBlocks = new HashSet<uint>();
        var removedOverlays = new HashSet<ushort>();
        var gone = new HashSet<DicomTag>();
        for (int i = 0; i < actions.Length; i++)
        {
            var tag = dataset.Elements[i].Tag;
            if (tag.IsPrivate && !tag.IsPrivateCreator && actions[i] == ElementAction.Keep) keptPrivateBlocks.Add(tag.PrivateCreator.Value);
            // A plane kept in Pixel Data has no Overlay Data; the pixel step clears its bits, and its group goes like the others.
            if ((ElementPolicy.IsOverlayData(tag) && actions[i] == ElementAction.Remove) || EmbeddedOverlays.DeclaresPlane(dataset.Elements[i])) removedOverlays.Add(tag.Group);
            if (actions[i] is ElementAction.Remove or ElementAction.Zero) gone.Add(tag);
        }
        for (int i = 0; i < actions.Length; i++)
        {
            var tag = dataset.Elements[i].Tag;
            if (tag.IsPrivateCreator && keptPrivateBlocks.Contains(tag.Value)) actions[i] = ElementAction.Keep;
            else if ((tag.Group & 0xFF00) == 0x6000 && removedOverlays.Contains(tag.Group)) actions[i] = ElementAction.Remove;
            else if (QualifiesGone(tag, dataset, gone)) actions[i] = ElementAction.Remove;
        }
    }

    private static bool QualifiesGone(DicomTag tag, DicomDataset dataset, HashSet<DicomTag> gone)
    {
        foreach (var (dependent, qualified) in Dependents)
        {
            if (dependent == tag) return gone.Contains(qualified) || !dataset.Contains(qualified);
        }
        return false;
    }
}

using CloudAnon.Core.Profile;
using CloudAnon.Dicom;

namespace CloudAnon.Core.Engine;

/// <summary>What happens to one element, after the combined actions of Table E.1-1 are resolved.</summary>
internal enum ElementAction
{
    Keep,
    Remove,
    Zero,
    Dummy,
    Clean,
    ReplaceUid,

    /// <summary>Patient ID and Patient's Name: a pseudonym kept in the mapping store (a dummy value that stays consistent per patient).</summary>
    Pseudonym,
}

/// <summary>
/// What a sequence's action makes of the items inside it. Attributes without a row of their own take it: in the
/// items of a D sequence (SR Content Sequence, Graphic Annotation Sequence, …) free text, names, dates and instance
/// UIDs become dummies (a dummy sequence keeps the tree's shape and codes, not its content); in a C sequence they
/// are cleaned.
/// </summary>
internal enum ItemContext
{
    Normal,
    Dummy,
    Clean,
}

/// <summary>
/// Decides the action for each element of a data set or item. Combined actions are resolved towards a valid
/// instance: a D in the cell wins (a dummy is valid whatever the attribute's type), then U, then Z (X/Z gives an
/// empty value, valid for Type 2 and 3 alike); X alone removes. Private attributes are removed unless Retain Safe
/// Private keeps them and their private creator. Group lengths are removed (retired, and recomputed by readers).
/// Overlay planes whose data is removed are removed whole, so no half overlay remains. One instance per file.
/// </summary>
internal sealed class ElementPolicy(ProfileTable table, ProfileOptions options, Func<string, byte, bool> isSafePrivate)
{
    private static readonly DicomTag PatientName = new(0x0010, 0x0010);

    // One policy serves one file: both passes ask for the same data sets, so each is decided once.
    private readonly Dictionary<(DicomDataset, ItemContext), Dictionary<DicomElement, ElementAction>> _decided = [];

    public Dictionary<DicomElement, ElementAction> Decide(DicomDataset dataset, ItemContext context)
    {
        if (!_decided.TryGetValue((dataset, context), out var actions))
        {
            actions = DecideAll(dataset, context);
            _decided[(dataset, context)] = actions;
        }
        return actions;
    }

    private Dictionary<DicomElement, ElementAction> DecideAll(DicomDataset dataset, ItemContext context)
    {
        var actions = new Dictionary<DicomElement, ElementAction>(dataset.Count, ReferenceEqualityComparer.Instance);
        var keptPrivateBlocks = new HashSet<uint>();
        var removedOverlays = new HashSet<ushort>();
        foreach (var element in dataset.Elements)
        {
            var tag = element.Tag;
            if (tag.IsPrivateCreator) continue;
            var action = tag.IsPrivate ? DecidePrivate(dataset, tag) : Decide(tag, element.VR, context);
            actions[element] = action;
            if (tag.IsPrivate && action == ElementAction.Keep) keptPrivateBlocks.Add(tag.PrivateCreator.Value);
            if (IsOverlayData(tag) && action == ElementAction.Remove) removedOverlays.Add(tag.Group);
        }
        foreach (var element in dataset.Elements)
        {
            var tag = element.Tag;
            if (tag.IsPrivateCreator) actions[element] = keptPrivateBlocks.Contains(tag.Value) ? ElementAction.Keep : ElementAction.Remove;
            else if (removedOverlays.Contains(tag.Group) && (tag.Group & 0xFF00) == 0x6000) actions[element] = ElementAction.Remove;
        }
        return actions;
    }

    /// <summary>The context the items of a sequence with <paramref name="action"/> are processed in.</summary>
    public static ItemContext ContextForItems(ElementAction action, ItemContext current) => action switch
    {
        ElementAction.Dummy => ItemContext.Dummy,
        ElementAction.Clean when current == ItemContext.Normal => ItemContext.Clean,
        _ => current,
    };

    private ElementAction Decide(DicomTag tag, DicomVR vr, ItemContext context)
    {
        if (tag.IsGroupLength) return ElementAction.Remove;
        if (!table.TryGetRow(tag, out var row)) return DecideUnlisted(tag, vr, context);
        var action = row.Resolve(options);
        if (action.Has(ProfileActionCodes.Keep)) return ElementAction.Keep;
        if (action.Has(ProfileActionCodes.Clean)) return ElementAction.Clean;
        if (action.Has(ProfileActionCodes.ReplaceUid)) return ElementAction.ReplaceUid;
        if (tag == DicomTag.PatientId || tag == PatientName) return ElementAction.Pseudonym;
        if (action.Has(ProfileActionCodes.Dummy)) return ElementAction.Dummy;
        if (action.Has(ProfileActionCodes.Zero)) return ElementAction.Zero;
        return RequiredDespiteRemoval.Contains(tag) ? ElementAction.Dummy : ElementAction.Remove;
    }

    /// <summary>
    /// Attributes the table marks X that are Type 1 in the IODs that use them, so removing them makes the instance
    /// invalid (dciodvfy): they get a dummy, which identifies no one either. Presentation Creation Date and Time are
    /// Type 1 in every presentation state IOD.
    /// </summary>
    private static readonly HashSet<DicomTag> RequiredDespiteRemoval = [new(0x0070, 0x0082), new(0x0070, 0x0083)];

    /// <summary>Attributes the table does not list: kept, except for content inside dummy or cleaned sequences.</summary>
    private static ElementAction DecideUnlisted(DicomTag tag, DicomVR vr, ItemContext context)
    {
        if (context == ItemContext.Normal || IsCodeAttribute(tag)) return ElementAction.Keep;
        if (vr == DicomVR.UI) return ElementAction.ReplaceUid;
        if (!CanHoldIdentifyingText(vr)) return ElementAction.Keep;
        return context == ItemContext.Dummy ? ElementAction.Dummy : ElementAction.Clean;
    }

    private static bool CanHoldIdentifyingText(DicomVR vr) =>
        vr == DicomVR.PN || vr == DicomVR.LO || vr == DicomVR.SH || vr == DicomVR.LT || vr == DicomVR.ST || vr == DicomVR.UT
        || vr == DicomVR.UC || vr == DicomVR.DA || vr == DicomVR.DT || vr == DicomVR.TM || vr == DicomVR.AE || vr == DicomVR.UR;

    /// <summary>Code Value, Coding Scheme Designator, Code Meaning and the other attributes of the Code Sequence Macro: controlled terms, kept.</summary>
    private static bool IsCodeAttribute(DicomTag tag) => tag.Group == 0x0008 && tag.Element is >= 0x0100 and <= 0x0124;

    /// <summary>Private data elements: the private-attributes row (X; C under Retain Safe Private, meaning keep if known safe).</summary>
    private ElementAction DecidePrivate(DicomDataset dataset, DicomTag tag)
    {
        if (!options.Contains(ProfileOption.RetainSafePrivate) || tag.Element < 0x1000) return ElementAction.Remove;
        string? creator = dataset.GetAsciiString(tag.PrivateCreator);
        return creator is not null && isSafePrivate(creator, (byte)tag.Element) ? ElementAction.Keep : ElementAction.Remove;
    }

    private static bool IsOverlayData(DicomTag tag) => (tag.Group & 0xFF01) == 0x6000 && tag.Element == 0x3000;
}

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
/// Decides the action for each element of a data set or item. Combined actions are resolved towards a valid
/// instance: a D in the cell wins (a dummy is valid whatever the attribute's type), then U, then Z (X/Z gives an
/// empty value, valid for Type 2 and 3 alike); X alone removes. Private attributes are removed unless Retain Safe
/// Private keeps them and their private creator. Group lengths are removed (retired, and recomputed by readers).
/// Overlay planes whose data is removed are removed whole, so no half overlay remains.
/// </summary>
internal sealed class ElementPolicy(ProfileTable table, ProfileOptions options, Func<string, byte, bool> isSafePrivate)
{
    private static readonly DicomTag PatientName = new(0x0010, 0x0010);

    public Dictionary<DicomElement, ElementAction> Decide(DicomDataset dataset)
    {
        var actions = new Dictionary<DicomElement, ElementAction>(dataset.Count, ReferenceEqualityComparer.Instance);
        var keptPrivateBlocks = new HashSet<uint>();
        var removedOverlays = new HashSet<ushort>();
        foreach (var element in dataset.Elements)
        {
            var tag = element.Tag;
            if (tag.IsPrivateCreator) continue;
            var action = tag.IsPrivate ? DecidePrivate(dataset, tag) : Decide(tag);
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

    private ElementAction Decide(DicomTag tag)
    {
        if (tag.IsGroupLength) return ElementAction.Remove;
        if (!table.TryGetRow(tag, out var row)) return ElementAction.Keep;
        var action = row.Resolve(options);
        if (action.Has(ProfileActionCodes.Keep)) return ElementAction.Keep;
        if (action.Has(ProfileActionCodes.Clean)) return ElementAction.Clean;
        if (action.Has(ProfileActionCodes.ReplaceUid)) return ElementAction.ReplaceUid;
        if (tag == DicomTag.PatientId || tag == PatientName) return ElementAction.Pseudonym;
        if (action.Has(ProfileActionCodes.Dummy)) return ElementAction.Dummy;
        if (action.Has(ProfileActionCodes.Zero)) return ElementAction.Zero;
        return ElementAction.Remove;
    }

    /// <summary>Private data elements: the private-attributes row (X; C under Retain Safe Private, meaning keep if known safe).</summary>
    private ElementAction DecidePrivate(DicomDataset dataset, DicomTag tag)
    {
        if (!options.Contains(ProfileOption.RetainSafePrivate) || tag.Element < 0x1000) return ElementAction.Remove;
        string? creator = dataset.GetAsciiString(tag.PrivateCreator);
        return creator is not null && isSafePrivate(creator, (byte)tag.Element) ? ElementAction.Keep : ElementAction.Remove;
    }

    private static bool IsOverlayData(DicomTag tag) => (tag.Group & 0xFF01) == 0x6000 && tag.Element == 0x3000;
}

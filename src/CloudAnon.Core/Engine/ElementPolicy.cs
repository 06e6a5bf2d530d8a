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

    /// <summary>A D on an identification code sequence (Institution Code, Person Identification Code): one item with a dummy code.</summary>
    DummyCode,
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
/// Decides the action of one element where it stands: its row of Table E.1-1 under the options, its Type in the
/// instance's IOD (PS3.3), the context of the sequence it is in, and whether its value could be read. Combined
/// actions (X/Z, X/D, Z/D, X/Z/D, X/Z/U*) are chosen by Type: Type 1 takes D (or U), Type 2 Z, Type 3 or an attribute
/// the IOD does not have X; a Type 1 attribute is never emptied or removed (it gets a dummy, which identifies no one).
/// Private attributes are removed unless Retain Safe Private keeps them; group lengths are removed (retired, and
/// recomputed by readers); standard attributes the dictionary does not know are removed (they cannot be judged)
/// unless the options keep them.
/// </summary>
internal sealed class ElementPolicy(ProfileTable table, DeidentificationOptions options, IodAttributeTypes types, Func<string, byte, bool> isSafePrivate)
{
    private static readonly DicomTag PatientName = new(0x0010, 0x0010);
    private static readonly DicomTag EncryptedAttributesSequence = new(0x0400, 0x0500);
    private readonly ProfileOptions _profileOptions = options.ProfileOptions;

    /// <summary>The action for standard (even-group) <paramref name="element"/> of a data set, at <paramref name="path"/> (the enclosing sequences' tags) in an instance of <paramref name="sopClassUid"/>.</summary>
    public ElementAction Decide(DicomElement element, ItemContext context, string? sopClassUid, ReadOnlySpan<DicomTag> path, bool uninterpretable)
    {
        var tag = element.Tag;
        // An earlier Encrypted Attributes Sequence goes into the new one's originals, so re-identification gives the file back as it arrived.
        var action = tag.IsGroupLength || tag == EncryptedAttributesSequence ? ElementAction.Remove
            : table.TryGetRow(tag, out var row) ? DecideListed(row, element, sopClassUid, path)
            : DecideUnlisted(tag, element.VR, context);
        return uninterpretable ? ForUninterpretable(element, action) : action;
    }

    /// <summary>Private data elements: the private-attributes row (X; C under Retain Safe Private, meaning keep if known safe).</summary>
    public ElementAction DecidePrivate(string? creator, DicomTag tag)
    {
        if (!_profileOptions.Contains(ProfileOption.RetainSafePrivate) || tag.Element < 0x1000) return ElementAction.Remove;
        return creator is not null && isSafePrivate(creator, (byte)tag.Element) ? ElementAction.Keep : ElementAction.Remove;
    }

    /// <summary>The context the items of a sequence with <paramref name="action"/> are processed in.</summary>
    public static ItemContext ContextForItems(ElementAction action, ItemContext current) => action switch
    {
        ElementAction.Dummy => ItemContext.Dummy,
        ElementAction.Clean when current == ItemContext.Normal => ItemContext.Clean,
        _ => current,
    };

    private ElementAction DecideListed(ProfileRow row, DicomElement element, string? sopClassUid, ReadOnlySpan<DicomTag> path)
    {
        var tag = element.Tag;
        var codes = row.Resolve(_profileOptions).Codes;
        if ((codes & ProfileActionCodes.Keep) != 0) return ElementAction.Keep;
        if ((codes & ProfileActionCodes.Clean) != 0) return ElementAction.Clean;
        var type = types.TypeOf(sopClassUid, path, tag);
        var chosen = ChooseByType(codes, type);
        if (chosen == ProfileActionCodes.ReplaceUid) return ElementAction.ReplaceUid;
        if (tag == DicomTag.PatientId || tag == PatientName) return ElementAction.Pseudonym;
        return chosen switch
        {
            ProfileActionCodes.Dummy => element is DicomSequence sequence && HoldsCodes(sequence) ? ElementAction.DummyCode : ElementAction.Dummy,
            ProfileActionCodes.Zero => ElementAction.Zero,
            _ => ElementAction.Remove,
        };
    }

    /// <summary>
    /// One code of a cell, by the attribute's Type: the first of the cell's codes in the Type's order of preference.
    /// A Type 1 attribute whose cell has only X or Z gets D, since removing or emptying it makes the instance invalid.
    /// </summary>
    private static ProfileActionCodes ChooseByType(ProfileActionCodes codes, AttributeType? type)
    {
        ReadOnlySpan<ProfileActionCodes> preference = type switch
        {
            AttributeType.Type1 or AttributeType.Type1C => [ProfileActionCodes.ReplaceUid, ProfileActionCodes.Dummy],
            AttributeType.Type2 or AttributeType.Type2C => [ProfileActionCodes.Zero, ProfileActionCodes.Dummy, ProfileActionCodes.ReplaceUid, ProfileActionCodes.Remove],
            _ => [ProfileActionCodes.Remove, ProfileActionCodes.Zero, ProfileActionCodes.Dummy, ProfileActionCodes.ReplaceUid],
        };
        foreach (var code in preference)
        {
            if ((codes & code) != 0) return code;
        }
        // Only Type 1 falls through: its cell had X or Z alone.
        return ProfileActionCodes.Dummy;
    }

    /// <summary>Attributes the table does not list: kept, except for content inside dummy or cleaned sequences and attributes the dictionary does not know.</summary>
    private ElementAction DecideUnlisted(DicomTag tag, DicomVR vr, ItemContext context)
    {
        if (!DicomDictionary.TryGetEntry(tag, out _) && !options.RetainUnknownAttributes) return ElementAction.Remove;
        if (context == ItemContext.Normal || IsCodeAttribute(tag)) return ElementAction.Keep;
        if (vr == DicomVR.UI) return ElementAction.ReplaceUid;
        if (!CanHoldIdentifyingText(vr)) return ElementAction.Keep;
        return context == ItemContext.Dummy ? ElementAction.Dummy : ElementAction.Clean;
    }

    /// <summary>
    /// A value that does not parse as its dictionary VR is never passed through: removed where the profile keeps or
    /// removes it, replaced where it gets a fresh value; where the action needs the value (U, C, the pseudonym's key)
    /// the file cannot be de-identified.
    /// </summary>
    private static ElementAction ForUninterpretable(DicomElement element, ElementAction action)
    {
        bool sequence = DicomDictionary.GetVR(element.Tag) == DicomVR.SQ;
        return action switch
        {
            ElementAction.Keep or ElementAction.Remove => ElementAction.Remove,
            ElementAction.Zero => ElementAction.Zero,
            ElementAction.Dummy or ElementAction.DummyCode => sequence ? ElementAction.Zero : ElementAction.Dummy,
            _ => throw new DeidentificationException(DeidentificationFailure.UninterpretableValue,
                $"Attribute {element.Tag} is encoded as UN and does not parse as its dictionary VR, but its action needs its value."),
        };
    }

    private static bool CanHoldIdentifyingText(DicomVR vr) =>
        vr == DicomVR.PN || vr == DicomVR.LO || vr == DicomVR.SH || vr == DicomVR.LT || vr == DicomVR.ST || vr == DicomVR.UT
        || vr == DicomVR.UC || vr == DicomVR.DA || vr == DicomVR.DT || vr == DicomVR.TM || vr == DicomVR.AE || vr == DicomVR.UR
        || vr == DicomVR.UN;

    /// <summary>Code Value, Coding Scheme Designator, Code Meaning and the other attributes of the Code Sequence Macro: controlled terms, kept.</summary>
    public static bool IsCodeAttribute(DicomTag tag) => tag.Group == 0x0008 && tag.Element is >= 0x0100 and <= 0x0124;

    /// <summary>Items of the Code Sequence Macro: a sequence of codes rather than a tree of content.</summary>
    private static bool HoldsCodes(DicomSequence sequence) =>
        sequence.Items.Count > 0 && sequence.Items.All(item => item.Elements.Any(e => IsCodeAttribute(e.Tag)));
}

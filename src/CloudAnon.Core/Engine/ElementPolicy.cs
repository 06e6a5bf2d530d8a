using CloudAnon.Core.Profile;
using CloudAnon.Core.Reversible;
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
/// unless the options keep them. Standard attributes the table has no row for are decided by the allow-list over the
/// dictionary (<see cref="UnlistedAttributes"/>): kept, or treated as a row of X/Z/D (removed, emptied or given a
/// dummy by Type), unless Retain Unlisted Attributes keeps them all.
/// </summary>
/// <param name="conditions">The Type 1C/2C conditions the instance decides (<see cref="ConditionalTypes"/>).</param>
/// <param name="listsReferencedInstances">
/// The instance has the Common Instance Reference module (a Referenced Series Sequence): every instance it references
/// elsewhere must stay referenced, so X/Z/U* keeps the references (U) wherever it stands.
/// </param>
internal sealed class ElementPolicy(ProfileTable table, UnlistedAttributes unlisted, DeidentificationOptions options, IodAttributeTable types,
    ConditionalTypes conditions, bool listsReferencedInstances, Func<string, byte, bool> isSafePrivate)
{
    private readonly ProfileOptions _profileOptions = options.ProfileOptions;

    /// <summary>The action for standard (even-group) <paramref name="element"/> of data set <paramref name="item"/>, at <paramref name="path"/> (the enclosing sequences' tags).</summary>
    public ElementAction Decide(DicomDataset item, DicomElement element, ItemContext context, ReadOnlySpan<DicomTag> path, bool uninterpretable)
    {
        var tag = element.Tag;
        // An earlier Encrypted Attributes Sequence goes into the new one's originals, so re-identification gives the file back as it arrived.
        // File Meta elements inside a data set are another system's stale meta: the output's meta is made anew.
        var action = tag.IsGroupLength || tag == EncryptedAttributes.SequenceTag || tag.Group == 0x0002 ? ElementAction.Remove
            : table.TryGetRow(tag, out var row) ? DecideListed(row, element, path)
            : DecideUnlisted(item, element, context, path);
        return uninterpretable ? ForUninterpretable(element, action) : action;
    }

    /// <summary>Private data elements: the private-attributes row (X; C under Retain Safe Private, meaning keep if known safe).</summary>
    public ElementAction DecidePrivate(string? creator, DicomTag tag)
    {
        if (!_profileOptions.Contains(ProfileOption.RetainSafePrivate) || tag.Element < 0x1000) return ElementAction.Remove;
        return creator is not null && isSafePrivate(creator, (byte)tag.Element) ? ElementAction.Keep : ElementAction.Remove;
    }

    /// <summary>
    /// Why an element this policy keeps stays: its row keeps it in the Basic Profile (or the content rules of a dummy or
    /// cleaned sequence do), an option keeps it (a row's option cell, Retain Safe Private, Retain Unlisted or Unknown
    /// Attributes, the temporal and UID options for unlisted attributes), or the allow-list of unlisted attributes does.
    /// </summary>
    public KeepBasis KeptBy(DicomElement element, ItemContext context)
    {
        var tag = element.Tag;
        if (tag.IsPrivate) return KeepBasis.Option;
        if (table.TryGetRow(tag, out var row)) return row.Basic.Has(ProfileActionCodes.Keep) ? KeepBasis.Profile : KeepBasis.Option;
        if (context != ItemContext.Normal) return KeepBasis.Profile;
        return DicomDictionary.TryGetEntry(tag, out var attribute) && unlisted.Keeps(attribute) ? KeepBasis.AllowList : KeepBasis.Option;
    }

    /// <summary>The context the items of a sequence with <paramref name="action"/> are processed in.</summary>
    public static ItemContext ContextForItems(ElementAction action, ItemContext current) => action switch
    {
        ElementAction.Dummy => ItemContext.Dummy,
        ElementAction.Clean when current == ItemContext.Normal => ItemContext.Clean,
        _ => current,
    };

    private ElementAction DecideListed(ProfileRow row, DicomElement element, ReadOnlySpan<DicomTag> path)
    {
        var codes = row.Resolve(_profileOptions).Codes;
        if ((codes & ProfileActionCodes.Keep) != 0) return ElementAction.Keep;
        if ((codes & ProfileActionCodes.Clean) != 0)
        {
            if (CanBeCleaned(element)) return ElementAction.Clean;
            // A binary value (a maker note, a PTP timestamp, an overlay bitmap with burned-in text) cannot be read for
            // what identifies or dates it: what the Basic Profile does to it applies instead.
            codes = row.Basic.Codes;
        }
        return DecideByType(codes, element, path);
    }

    /// <summary>One of the cell's <paramref name="codes"/> (none of K or C) as the element's Type in the IOD allows.</summary>
    private ElementAction DecideByType(ProfileActionCodes codes, DicomElement element, ReadOnlySpan<DicomTag> path)
    {
        var tag = element.Tag;
        // The Overlay Plane module is optional, or required only while its overlay is there: removing the data removes
        // the whole plane (DatasetPlanner), where a dummy of Type 1 data would leave a plane with a 2-byte bitmap.
        if (IsOverlayData(tag) && (codes & ProfileActionCodes.Remove) != 0) return ElementAction.Remove;
        var type = conditions.Resolve(path, tag, types.TypeOf(path, tag));
        var chosen = type switch
        {
            _ when listsReferencedInstances && (codes & ProfileActionCodes.ReplaceUid) != 0 => ProfileActionCodes.ReplaceUid,
            // Optional in a module the table has, but a module it cannot type may require it: a dummy if the cell allows one.
            AttributeType.Type3 when types.HasUntypedModules => First(codes, UnknownButOptional),
            null when !AbsenceIsKnown(path) => First(codes, Unknown),
            _ => ChooseByType(codes, type),
        };
        // A dummy UID would be no UID at all (Annotation Group UID is D): it gets a replacement UID, consistent like any other.
        if (chosen == ProfileActionCodes.ReplaceUid || (chosen == ProfileActionCodes.Dummy && element.VR == DicomVR.UI)) return ElementAction.ReplaceUid;
        if (tag == DicomTag.PatientId || tag == DicomTags.PatientName) return ElementAction.Pseudonym;
        return chosen switch
        {
            ProfileActionCodes.Dummy => element is DicomSequence sequence && HoldsCodes(sequence) ? ElementAction.DummyCode : ElementAction.Dummy,
            ProfileActionCodes.Zero => ElementAction.Zero,
            _ => ElementAction.Remove,
        };
    }

    /// <summary>
    /// One code of a cell, by the attribute's Type: the first of the cell's codes in the Type's order of preference.
    /// A required attribute is never lost to a cell of X (or Z) alone: Type 1 gets D and Type 2 Z, since removing it
    /// makes the instance invalid and the replacement identifies no one. A conditional type counts as required: the
    /// attribute is present, so its condition presumably holds.
    /// </summary>
    private static ProfileActionCodes ChooseByType(ProfileActionCodes codes, AttributeType? type)
    {
        return type switch
        {
            AttributeType.Type1 or AttributeType.Type1C => First(codes, RequiredWithValue, fallback: ProfileActionCodes.Dummy),
            AttributeType.Type2 or AttributeType.Type2C => First(codes, Required, fallback: ProfileActionCodes.Zero),
            _ => First(codes, Optional),
        };
    }

    /// <summary>
    /// Whether an attribute the type table does not list is truly absent from the IOD (so X applies): not for an IOD
    /// with modules the table cannot type, nor inside functional groups (the extract does not say which macros an
    /// enhanced IOD puts there).
    /// </summary>
    private bool AbsenceIsKnown(ReadOnlySpan<DicomTag> path) =>
        !types.HasUntypedModules && !path.Contains(DicomTags.SharedFunctionalGroupsSequence) && !path.Contains(DicomTags.PerFrameFunctionalGroupsSequence);

    /// <summary>The first of the cell's codes in <paramref name="preference"/>; <paramref name="fallback"/> (X unless said) when the cell has none of them.</summary>
    private static ProfileActionCodes First(ProfileActionCodes codes, ProfileActionCodes[] preference, ProfileActionCodes fallback = ProfileActionCodes.Remove)
    {
        foreach (var code in preference)
        {
            if ((codes & code) != 0) return code;
        }
        return fallback;
    }

    /// <summary>Where the type cannot be known, the codes that keep any instance valid: U, then D (a dummy is valid for every type), then Z.</summary>
    private static readonly ProfileActionCodes[] Unknown = [ProfileActionCodes.ReplaceUid, ProfileActionCodes.Dummy, ProfileActionCodes.Zero];
    private static readonly ProfileActionCodes[] UnknownButOptional = [ProfileActionCodes.ReplaceUid, ProfileActionCodes.Dummy, ProfileActionCodes.Remove];

    private static readonly ProfileActionCodes[] RequiredWithValue = [ProfileActionCodes.ReplaceUid, ProfileActionCodes.Dummy];
    private static readonly ProfileActionCodes[] Required = [ProfileActionCodes.Zero, ProfileActionCodes.Dummy, ProfileActionCodes.ReplaceUid];
    private static readonly ProfileActionCodes[] Optional = [ProfileActionCodes.Remove, ProfileActionCodes.Zero, ProfileActionCodes.Dummy, ProfileActionCodes.ReplaceUid];

    /// <summary>
    /// Attributes the table does not list. Outside dummy and cleaned sequences: those the allow-list keeps stay, the
    /// others are decided as a row of X/Z/D would be (dates follow the temporal options, UIDs Retain UIDs), and those
    /// the dictionary does not know go unless the options keep them. Inside a dummy or cleaned sequence, its action
    /// applies to their content (codes from standard schemes stay there, <see cref="ContentCodes"/>).
    /// </summary>
    private ElementAction DecideUnlisted(DicomDataset item, DicomElement element, ItemContext context, ReadOnlySpan<DicomTag> path)
    {
        var tag = element.Tag;
        bool known = DicomDictionary.TryGetEntry(tag, out var attribute);
        if (!known && !options.RetainUnknownAttributes) return ElementAction.Remove;
        if (context == ItemContext.Normal)
        {
            return !known || options.RetainUnlistedAttributes || unlisted.Keeps(attribute) ? ElementAction.Keep : DecideRemovedUnlisted(element, attribute.VR, path);
        }
        var vr = element.VR;
        if (IsCodeAttribute(tag)) return ContentCodes.IsLocalValueOrMeaning(item, tag) ? ElementAction.Dummy : ElementAction.Keep;
        if (vr == DicomVR.UI) return ElementAction.ReplaceUid;
        if (!CanHoldIdentifyingText(vr)) return ElementAction.Keep;
        return context == ItemContext.Dummy ? ElementAction.Dummy : ElementAction.Clean;
    }

    /// <summary>An unlisted attribute the allow-list does not keep: X/Z/D by Type; dates and UIDs as the options that retain or shift them say.</summary>
    private ElementAction DecideRemovedUnlisted(DicomElement element, DicomVR dictionaryVR, ReadOnlySpan<DicomTag> path)
    {
        if (dictionaryVR == DicomVR.DA || dictionaryVR == DicomVR.DT || dictionaryVR == DicomVR.TM)
        {
            if (_profileOptions.Contains(ProfileOption.RetainLongitudinalFullDates)) return ElementAction.Keep;
            if (_profileOptions.Contains(ProfileOption.RetainLongitudinalModifiedDates)) return ElementAction.Clean;
        }
        if (dictionaryVR == DicomVR.UI && _profileOptions.Contains(ProfileOption.RetainUids)) return ElementAction.Keep;
        return DecideByType(RemovedUnlessRequired, element, path);
    }

    private const ProfileActionCodes RemovedUnlessRequired = ProfileActionCodes.Remove | ProfileActionCodes.Zero | ProfileActionCodes.Dummy;

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

    /// <summary>Overlay Data (60xx,3000) of a repeating overlay group (even groups 6000–601E).</summary>
    public static bool IsOverlayData(DicomTag tag) => (tag.Group & 0xFF01) == 0x6000 && tag.Element == 0x3000;

    /// <summary>Sequences (their items are processed) and values the cleaner reads: text, dates, times, UIDs.</summary>
    private static bool CanBeCleaned(DicomElement element)
    {
        if (element is DicomSequence) return true;
        var vr = element.VR == DicomVR.UN ? DicomDictionary.GetVR(element.Tag) : element.VR;
        return vr.IsString || vr == DicomVR.SQ;
    }

    private static bool CanHoldIdentifyingText(DicomVR vr) =>
        vr == DicomVR.PN || vr == DicomVR.LO || vr == DicomVR.SH || vr == DicomVR.LT || vr == DicomVR.ST || vr == DicomVR.UT
        || vr == DicomVR.UC || vr == DicomVR.DA || vr == DicomVR.DT || vr == DicomVR.TM || vr == DicomVR.AE || vr == DicomVR.UR
        || vr == DicomVR.UN;

    /// <summary>Code Value, Coding Scheme Designator, Code Meaning and the other attributes of the Code Sequence Macro: controlled terms, kept.</summary>
    private static bool IsCodeAttribute(DicomTag tag) => tag.Group == 0x0008 && tag.Element is >= 0x0100 and <= 0x0124;

    /// <summary>Items of the Code Sequence Macro: a sequence of codes rather than a tree of content.</summary>
    private static bool HoldsCodes(DicomSequence sequence) =>
        sequence.Items.Count > 0 && sequence.Items.All(item => item.Elements.Any(e => IsCodeAttribute(e.Tag)));
}

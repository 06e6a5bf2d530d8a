using System.Globalization;
using System.Text;
using CloudAnon.Dicom;

namespace CloudAnon.Core.Engine;

/// <summary>
/// Second pass: builds the de-identified data set element by element, at every depth, from the file's plan and the
/// resolved replacements. Unchanged elements (pixel data above all) are the same objects, so they stream through
/// byte for byte; every top-level element that changed or went is returned as an original (as it was read) for
/// encryption.
/// </summary>
internal sealed class ProfilePass(Replacements replacements)
{
    /// <summary>Dummy code of the identification code sequences: a local coding scheme (PS3.16 8.2: designators starting "99" are local).</summary>
    internal const string DummyCodingScheme = "99CLOUDANON";

    public (DicomDataset Result, List<DicomElement> Originals) Apply(DatasetPlan plan, InterpretedDataset interpreted)
    {
        var originals = new List<DicomElement>();
        var kept = new List<DicomElement>(plan.Elements.Length);
        foreach (var planned in plan.Elements)
        {
            var replacement = Process(planned, plan);
            var asRead = interpreted.Original(planned.Element);
            if (!ReferenceEquals(replacement, asRead)) originals.Add(asRead);
            if (replacement is not null) kept.Add(replacement);
        }
        return (new DicomDataset(kept, plan.Source.UndefinedLength), originals);
    }

    internal static string Decode(DicomValueElement value, DicomCharacterSet characterSet) =>
        value.VR.IsCharacterSetDependent ? characterSet.Decode(value.Bytes.Span, value.VR).TrimEnd(' ', '\0') : value.GetAsciiString();

    private DicomDataset ProcessItem(DatasetPlan plan)
    {
        var kept = new List<DicomElement>(plan.Elements.Length);
        bool changed = false;
        foreach (var planned in plan.Elements)
        {
            var replacement = Process(planned, plan);
            changed |= !ReferenceEquals(replacement, planned.Element);
            if (replacement is not null) kept.Add(replacement);
        }
        return changed ? new DicomDataset(kept, plan.Source.UndefinedLength) : plan.Source;
    }

    private DicomElement? Process(PlannedElement planned, DatasetPlan plan)
    {
        var (element, action, items) = planned;
        if (action == ElementAction.Remove) return null;
        return element switch
        {
            DicomSequence sequence => ProcessSequence(sequence, action, items),
            DicomValueElement value => ProcessValue(value, action, plan.CharacterSet),
            _ => action == ElementAction.Keep ? element : null,
        };
    }

    private DicomSequence ProcessSequence(DicomSequence sequence, ElementAction action, DatasetPlan[] items)
    {
        if (action == ElementAction.Zero)
        {
            return sequence.Items.Count == 0 ? sequence : new DicomSequence(sequence.Tag, sequence.VR, [], sequence.UndefinedLength, sequence.ImplicitLittleEndianContent);
        }
        if (action == ElementAction.DummyCode) return new DicomSequence(sequence.Tag, [DummyCode()]);
        // Keep, clean, dummy: the sequence stays and the profile applies to each item.
        var processed = items.Select(ProcessItem).ToList();
        return processed.SequenceEqual(sequence.Items, ReferenceEqualityComparer.Instance)
            ? sequence
            : new DicomSequence(sequence.Tag, sequence.VR, processed, sequence.UndefinedLength, sequence.ImplicitLittleEndianContent);
    }

    private static DicomDataset DummyCode()
    {
        var item = new DicomDataset();
        item.Set(DummyValues.Text(DicomTags.CodeValue, DicomVR.SH, "0"));
        item.Set(DummyValues.Text(DicomTags.CodingSchemeDesignator, DicomVR.SH, DummyCodingScheme));
        item.Set(DummyValues.Text(DicomTags.CodeMeaning, DicomVR.LO, "de-identified"));
        return item;
    }

    private DicomValueElement ProcessValue(DicomValueElement value, ElementAction action, DicomCharacterSet characterSet)
    {
        var tag = value.Tag;
        // A standard attribute left as UN (its value did not parse) is replaced with its dictionary VR, so the replacement is valid.
        var vr = value.VR == DicomVR.UN && DicomDictionary.GetVR(tag) is var known && known != DicomVR.UN ? known : value.VR;
        switch (action)
        {
            case ElementAction.Keep:
                return value;
            case ElementAction.Zero:
                return value.Length == 0 && vr == value.VR ? value : DummyValues.Empty(tag, vr);
            case ElementAction.Dummy or ElementAction.DummyCode when vr == DicomVR.UR && value.Bulk is null:
                return DummyValues.Text(tag, vr, UrlRewriter.Rewrite(value.GetAsciiString(), ReplacementOf));
            case ElementAction.Dummy or ElementAction.DummyCode:
                return DummyValues.For(tag, vr);
            case ElementAction.Pseudonym:
                return vr.IsString ? DummyValues.Text(tag, vr, replacements.PatientPseudonym) : DummyValues.For(tag, vr);
            case ElementAction.ReplaceUid:
                return ReplaceUids(value, vr);
            default:
                return Clean(value, vr, characterSet);
        }
    }

    private DicomValueElement ReplaceUids(DicomValueElement value, DicomVR vr)
    {
        if (value.Bulk is not null) return DummyValues.For(value.Tag, vr);
        string original = value.GetAsciiString();
        string replaced = string.Join('\\', original.Split('\\').Select(ReplacementOf));
        return replaced == original ? value : DummyValues.Text(value.Tag, vr, replaced);
    }

    /// <summary>A UID's replacement; a well-known UID is its own.</summary>
    private string ReplacementOf(string uid) => replacements.Uids.GetValueOrDefault(uid, uid);

    /// <summary>C: dates shift by the patient's offset; text loses the identifying values found in the file; bytes that cannot be read get a dummy.</summary>
    private DicomValueElement Clean(DicomValueElement value, DicomVR vr, DicomCharacterSet characterSet)
    {
        if (value.Bulk is not null) return DummyValues.For(value.Tag, vr);
        if (vr == DicomVR.UI) return ReplaceUids(value, vr);
        if (vr == DicomVR.DA || vr == DicomVR.DT)
        {
            if (value.Length == 0) return value;
            string? shifted = replacements.DateOffsetDays is { } days ? ShiftDates(value.GetAsciiString(), days, vr == DicomVR.DT) : null;
            return shifted is null ? DummyValues.For(value.Tag, vr) : DummyValues.Text(value.Tag, vr, shifted);
        }
        if (vr == DicomVR.TM) return replacements.DateOffsetDays is null ? DummyValues.For(value.Tag, vr) : value;
        if (!vr.IsString) return DummyValues.For(value.Tag, vr); // a retained unknown attribute's bytes cannot be read for what identifies
        string text = Decode(value, characterSet);
        string cleaned = replacements.Cleaner.Clean(text, runningText: vr == DicomVR.LT || vr == DicomVR.ST || vr == DicomVR.UT);
        if (cleaned == text) return value;
        return characterSet.CanEncode(cleaned, vr) ? DicomValueElement.FromString(value.Tag, vr, cleaned, characterSet) : DummyValues.For(value.Tag, vr);
    }

    /// <summary>Shifts each value's date part (YYYYMMDD, the first 8 characters of a DT; time and zone kept); null when a value is not a date.</summary>
    private static string? ShiftDates(string values, int days, bool dateTime)
    {
        var result = new StringBuilder(values.Length);
        foreach (string value in values.Split('\\'))
        {
            if (result.Length > 0) result.Append('\\');
            if (value.Length == 0) continue;
            if (value.Length < 8 || (!dateTime && value.Length != 8)
                || !DateOnly.TryParseExact(value[..8], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return null;
            }
            result.Append(date.AddDays(days).ToString("yyyyMMdd", CultureInfo.InvariantCulture)).Append(value.AsSpan(8));
        }
        return result.ToString();
    }
}

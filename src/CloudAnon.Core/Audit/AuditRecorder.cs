using CloudAnon.Core.Engine;
using CloudAnon.Dicom;
using CloudAnon.Pixels;

namespace CloudAnon.Core.Audit;

/// <summary>
/// Builds a file's <see cref="AuditRecord"/> from what the engine did rather than from what it meant to do: the plan's
/// action for each element, read against the element the profile pass made of it (a clean that found nothing is
/// "unchanged", a date that could not be shifted a "dummy"), then the marks and the encrypted originals the engine
/// added. Made right after the profile pass, before anything else changes the data set.
/// </summary>
internal sealed class AuditRecorder
{
    private readonly ElementPolicy _policy;
    private readonly List<AttributeAudit> _attributes = [];
    private readonly Dictionary<(string Path, AttributeAction Action), int> _indexOf = [];
    private readonly HashSet<DicomTag> _inputTags = [];

    public AuditRecorder(ElementPolicy policy, DatasetPlan plan, DicomDataset passOutput)
    {
        _policy = policy;
        _inputTags.UnionWith(plan.Elements.Select(e => e.Element.Tag));
        Walk(plan, passOutput, prefix: "");
    }

    /// <summary>
    /// The record of the finished file: top-level <paramref name="written"/> tags (marks, encrypted originals) the
    /// engine set after the pass are "added", or "set" where the input had them.
    /// </summary>
    public AuditRecord Finish(DeidentificationOptions options, DeidentificationResult result, string transferSyntaxUid, IEnumerable<DicomTag> written)
    {
        foreach (var tag in written)
        {
            string path = tag.ToString();
            _attributes.RemoveAll(a => a.Path == path);
            _attributes.Add(new AttributeAudit(path, _inputTags.Contains(tag) ? AttributeAction.Set : AttributeAction.Added, 1));
        }
        return new AuditRecord
        {
            Outcome = AuditOutcome.Deidentified,
            CloudAnonVersion = AuditRecord.CurrentVersion,
            Profile = AuditRecord.ProfileOf(options),
            StudyInstanceUid = result.StudyInstanceUid,
            SeriesInstanceUid = result.SeriesInstanceUid,
            SopInstanceUid = result.SopInstanceUid,
            TransferSyntaxUid = transferSyntaxUid,
            Attributes = [.. _attributes],
            Pixels = result.PixelCleaning is { } pixels ? PixelsOf(pixels) : null,
            CodestreamsStripped = result.CodestreamsStripped,
        };
    }

    private static PixelAudit PixelsOf(PixelCleaningResult pixels) => new(
        pixels.Candidate, pixels.Outcome, pixels.TextRegionsFound, pixels.TextureRegions, pixels.PixelsBlankedPerFrame,
        [.. pixels.Kept.Select(k => k.Box)], pixels.OriginalTransferSyntaxUid)
    {
        BlankedBoxes = pixels.BlankedBoxes,
        BlankedOutside = pixels.BlankedOutside,
    };

    /// <summary>The pass keeps each data set's order and only drops elements, so its output is matched by one forward scan.</summary>
    private void Walk(DatasetPlan plan, DicomDataset output, string prefix)
    {
        var made = output.Elements;
        int next = 0;
        foreach (var planned in plan.Elements)
        {
            var tag = planned.Element.Tag;
            DicomElement? outputElement = next < made.Count && made[next].Tag == tag ? made[next++] : null;
            string path = prefix + tag;
            Count(path, ActionOf(planned, outputElement, plan.Context));
            if (outputElement is DicomSequence sequence && planned.Action is not (ElementAction.Zero or ElementAction.DummyCode))
            {
                for (int i = 0; i < planned.Items.Length; i++) Walk(planned.Items[i], sequence.Items[i], path + "/");
            }
        }
    }

    private void Count(string path, AttributeAction action)
    {
        if (_indexOf.TryGetValue((path, action), out int index))
        {
            _attributes[index] = _attributes[index] with { Count = _attributes[index].Count + 1 };
            return;
        }
        _indexOf.Add((path, action), _attributes.Count);
        _attributes.Add(new AttributeAudit(path, action, 1));
    }

    private AttributeAction ActionOf(PlannedElement planned, DicomElement? output, ItemContext context)
    {
        if (output is null) return AttributeAction.Removed;
        bool sequence = planned.Element is DicomSequence;
        return planned.Action switch
        {
            ElementAction.Keep => _policy.KeptBy(planned.Element, context) switch
            {
                KeepBasis.Option => AttributeAction.KeptByOption,
                KeepBasis.AllowList => AttributeAction.KeptByAllowList,
                _ => AttributeAction.Kept,
            },
            ElementAction.Zero => AttributeAction.Emptied,
            ElementAction.DummyCode => AttributeAction.DummyCode,
            ElementAction.Pseudonym => AttributeAction.Pseudonym,
            ElementAction.Dummy when sequence => AttributeAction.DummyItems,
            ElementAction.Clean when sequence => AttributeAction.CleanedItems,
            ElementAction.Dummy => AttributeAction.Dummy,
            _ when ReferenceEquals(output, planned.Element) => AttributeAction.Unchanged,
            _ => ChangedBy(output),
        };
    }

    /// <summary>What a clean or a UID replacement that changed the value made of it: the VR's dummy, or the VR's own change.</summary>
    private static AttributeAction ChangedBy(DicomElement output)
    {
        if (output is not DicomValueElement value) return AttributeAction.Dummy;
        if (value.Bytes.Span.SequenceEqual(DummyValues.For(value.Tag, value.VR).Bytes.Span)) return AttributeAction.Dummy;
        if (value.VR == DicomVR.UI) return AttributeAction.ReplacedUid;
        return value.VR == DicomVR.DA || value.VR == DicomVR.DT ? AttributeAction.ShiftedDate : AttributeAction.CleanedText;
    }
}

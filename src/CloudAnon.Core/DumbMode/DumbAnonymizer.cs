using CloudAnon.Dicom;

namespace CloudAnon.Core.DumbMode;

/// <summary>
/// gdcmanon's dumb mode: an explicit list of edits on the top-level data set, with no profile, no encryption and no
/// de-identification marks. As gdcmanon, it does not refuse inputs that are already de-identified, and it applies the
/// edits grouped by action (empty, clear, remove, replace), each group in the order given.
/// </summary>
public static class DumbAnonymizer
{
    private const ushort FirstPrivateBlock = 0x10;
    private const ushort LastPrivateBlock = 0xFF;

    /// <summary>Applies <paramref name="edits"/> to <paramref name="dataset"/>.</summary>
    /// <exception cref="DumbEditException">An edit cannot be done; the data set may be partly edited and must not be written.</exception>
    public static void Apply(DicomDataset dataset, IReadOnlyList<DumbEdit> edits)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(edits);
        foreach (var edit in edits.OrderBy(e => e.Action))
        {
            switch (edit.Action)
            {
                case DumbAction.Empty: Empty(dataset, edit.Target); break;
                case DumbAction.Clear: Clear(dataset, edit.Target); break;
                case DumbAction.Remove: Remove(dataset, edit.Target); break;
                case DumbAction.Replace: Replace(dataset, edit.Target, edit.Value ?? ""); break;
                default: throw new ArgumentOutOfRangeException(nameof(edits));
            }
        }
    }

    private static void Empty(DicomDataset dataset, DumbTarget target)
    {
        var tag = Resolve(dataset, target, reserveBlock: true)!.Value;
        dataset.Set(EmptyElement(tag, dataset.Find(tag)?.VR ?? DictionaryVR(tag)));
    }

    private static void Clear(DicomDataset dataset, DumbTarget target)
    {
        if (Resolve(dataset, target, reserveBlock: false) is { } tag && dataset.Find(tag) is { } existing)
        {
            dataset.Set(EmptyElement(tag, existing.VR));
        }
    }

    private static void Remove(DicomDataset dataset, DumbTarget target)
    {
        if (Resolve(dataset, target, reserveBlock: false) is { } tag) dataset.Remove(tag);
    }

    private static void Replace(DicomDataset dataset, DumbTarget target, string value)
    {
        var tag = Resolve(dataset, target, reserveBlock: false)
            ?? throw new DumbEditException(target.ToString(), "its private creator is not in the data set, so the value's VR is unknown");
        var vr = dataset.Find(tag)?.VR ?? DictionaryVR(tag);
        if (!vr.IsString) throw new DumbEditException(tag.ToString(), $"VR {vr} is not text; replace sets text values only");
        var characterSet = DicomCharacterSet.FromSpecificCharacterSet(dataset.GetAsciiString(DicomTag.SpecificCharacterSet));
        if (!characterSet.TryEncode(value, vr, out _))
        {
            throw new DumbEditException(tag.ToString(), "the new value cannot be written in the data set's Specific Character Set");
        }
        dataset.Set(DicomValueElement.FromString(tag, vr, value, characterSet));
    }

    private static DicomElement EmptyElement(DicomTag tag, DicomVR vr) =>
        vr == DicomVR.SQ ? new DicomSequence(tag, DicomVR.SQ, [], undefinedLength: false) : new DicomValueElement(tag, vr, ReadOnlyMemory<byte>.Empty);

    /// <summary>UN for attributes the dictionary does not know, as gdcmanon writes them.</summary>
    private static DicomVR DictionaryVR(DicomTag tag) =>
        !tag.IsPrivate && DicomDictionary.TryGetEntry(tag, out var entry) && entry.HasVR ? entry.VR : DicomVR.UN;

    /// <summary>
    /// The tag of <paramref name="target"/> in <paramref name="dataset"/>; for a private target, through its creator's
    /// block, reserving the first free block for the creator when asked (gdcmanon's --empty does), else null when absent.
    /// </summary>
    private static DicomTag? Resolve(DicomDataset dataset, DumbTarget target, bool reserveBlock)
    {
        if (!target.IsPrivate) return new DicomTag(target.Group, target.Element);
        ushort? free = null;
        for (ushort block = FirstPrivateBlock; block <= LastPrivateBlock; block++)
        {
            var creatorTag = new DicomTag(target.Group, block);
            if (dataset.Find(creatorTag) is not DicomValueElement { Bulk: null } creator)
            {
                free ??= block;
                continue;
            }
            if (string.Equals(creator.GetAsciiString().Trim(), target.Creator, StringComparison.Ordinal)) return InBlock(block);
        }
        if (!reserveBlock) return null;
        if (free is null) throw new DumbEditException(target.ToString(), "all private creator blocks of the group are taken");
        dataset.Set(DicomValueElement.FromString(new DicomTag(target.Group, free.Value), DicomVR.LO, target.Creator!));
        return InBlock(free.Value);

        DicomTag InBlock(ushort block) => new(target.Group, (ushort)((block << 8) | (byte)target.Element));
    }
}

/// <summary>A dumb-mode edit could not be done. The message names the tag and the reason, never a value.</summary>
public sealed class DumbEditException(string target, string reason) : Exception($"{target}: {reason}.")
{
    public string Target { get; } = target;
}

using CloudAnon.Dicom;

namespace CloudAnon.Core.Engine;

/// <summary>
/// A data set with its standard attributes that arrived as UN interpreted by the dictionary, and what the
/// interpretation changed: the top-level elements as read (the originals of what changed) and the values that did not
/// parse as their dictionary VR.
/// </summary>
internal sealed record InterpretedDataset(
    DicomDataset Dataset,
    IReadOnlyDictionary<DicomElement, DicomElement> AsRead,
    IReadOnlySet<DicomElement> Uninterpretable)
{
    /// <summary>The element as it was in the file, for the encrypted originals.</summary>
    public DicomElement Original(DicomElement element) => AsRead.GetValueOrDefault(element, element);
}

/// <summary>
/// Explicit VR files written by systems that did not know a tag carry it as UN (PS3.5 6.2.2): a sequence whose items
/// are Implicit VR Little Endian, or a text or binary value. Before the profile decides, every standard attribute sent
/// as UN, at every depth, is read as the dictionary says it is, so the profile applies to it exactly as to the same
/// attribute properly encoded; the output carries the dictionary VR. Private attributes stay as they are (the profile
/// removes them, or keeps known-safe ones byte for byte). A value that does not parse as its dictionary VR is marked
/// uninterpretable, for the policy to remove it or refuse the file.
/// </summary>
internal sealed class UnknownValueInterpreter
{
    /// <summary>Largest UN sequence value read into memory to be parsed; larger ones cannot be judged.</summary>
    private const long MaxSequenceBytes = 64L * 1024 * 1024;

    private readonly Dictionary<DicomElement, DicomElement> _asRead = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<DicomElement> _uninterpretable = new(ReferenceEqualityComparer.Instance);
    private readonly ICollection<StructureRepair> _repairs;

    private UnknownValueInterpreter(ICollection<StructureRepair> repairs) => _repairs = repairs;

    /// <param name="repairs">Where the items of sequences read from UN values record their repairs (the data set itself was normalized before).</param>
    public static async Task<InterpretedDataset> InterpretAsync(DicomDataset dataset, CancellationToken cancellationToken, ICollection<StructureRepair>? repairs = null)
    {
        var interpreter = new UnknownValueInterpreter(repairs ?? []);
        var result = await interpreter.InterpretItemAsync(dataset, topLevel: true, cancellationToken).ConfigureAwait(false);
        return new InterpretedDataset(result, interpreter._asRead, interpreter._uninterpretable);
    }

    private async Task<DicomDataset> InterpretItemAsync(DicomDataset item, bool topLevel, CancellationToken cancellationToken)
    {
        List<DicomElement>? changed = null;
        for (int i = 0; i < item.Count; i++)
        {
            var element = item.Elements[i];
            var interpreted = await InterpretAsync(element, cancellationToken).ConfigureAwait(false);
            if (ReferenceEquals(interpreted, element)) continue;
            changed ??= [.. item.Elements];
            changed[i] = interpreted;
            if (topLevel) _asRead[interpreted] = element;
        }
        return changed is null ? item : new DicomDataset(changed, item.UndefinedLength);
    }

    private async ValueTask<DicomElement> InterpretAsync(DicomElement element, CancellationToken cancellationToken)
    {
        var tag = element.Tag;
        bool standard = !tag.IsPrivate && !tag.IsGroupLength;
        switch (element)
        {
            case DicomSequence sequence:
                var items = await InterpretItemsAsync(sequence.Items, cancellationToken).ConfigureAwait(false);
                if (sequence.VR == DicomVR.UN && standard)
                {
                    // A UN of undefined length was read as a sequence; it is one only if the dictionary says so.
                    if (DicomDictionary.GetVR(tag) == DicomVR.SQ) return new DicomSequence(tag, DicomVR.SQ, items, sequence.UndefinedLength);
                    _uninterpretable.Add(sequence);
                    return sequence;
                }
                return ReferenceEquals(items, sequence.Items) ? sequence
                    : new DicomSequence(tag, sequence.VR, items, sequence.UndefinedLength, sequence.ImplicitLittleEndianContent);
            case DicomValueElement value when value.VR == DicomVR.UN && standard:
                return await InterpretValueAsync(value, cancellationToken).ConfigureAwait(false);
            default:
                return element;
        }
    }

    private async ValueTask<List<DicomDataset>> InterpretItemsAsync(List<DicomDataset> items, CancellationToken cancellationToken)
    {
        List<DicomDataset>? changed = null;
        for (int i = 0; i < items.Count; i++)
        {
            var interpreted = await InterpretItemAsync(items[i], topLevel: false, cancellationToken).ConfigureAwait(false);
            if (ReferenceEquals(interpreted, items[i])) continue;
            changed ??= [.. items];
            changed[i] = interpreted;
        }
        return changed ?? items;
    }

    private async ValueTask<DicomElement> InterpretValueAsync(DicomValueElement value, CancellationToken cancellationToken)
    {
        // Unknown to the dictionary: the policy removes it, as it cannot be judged.
        if (!DicomDictionary.TryGetEntry(value.Tag, out var entry) || !entry.HasVR) return value;
        var vr = entry.VR;
        if (vr == DicomVR.SQ)
        {
            if (value.Length > MaxSequenceBytes) return Uninterpretable(value);
            var bytes = value.Bulk is { } bulk ? await bulk.ReadAllAsync(cancellationToken).ConfigureAwait(false) : value.Bytes;
            try
            {
                var sequence = await DicomFile.ReadUnknownSequenceValueAsync(value.Tag, bytes, cancellationToken: cancellationToken).ConfigureAwait(false);
                // Items read from UN bytes were not there when the data set was normalized.
                foreach (var item in sequence.Items) item.Normalize(_repairs);
                var items = await InterpretItemsAsync(sequence.Items, cancellationToken).ConfigureAwait(false);
                return new DicomSequence(value.Tag, DicomVR.SQ, items, undefinedLength: false);
            }
            catch (DicomFormatException)
            {
                return Uninterpretable(value);
            }
        }
        if (!UnknownValueFormat.Parses(value, vr)) return Uninterpretable(value);
        return value.Bulk is { } reference ? new DicomValueElement(value.Tag, vr, reference) : new DicomValueElement(value.Tag, vr, value.Bytes);
    }

    private DicomElement Uninterpretable(DicomElement element)
    {
        _uninterpretable.Add(element);
        return element;
    }
}

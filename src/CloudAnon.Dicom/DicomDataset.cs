namespace CloudAnon.Dicom;

/// <summary>
/// The elements of a data set or sequence item, in encoding order. Elements read from a file keep the order and
/// encoding details they had, so an unchanged data set writes back byte for byte.
/// </summary>
public sealed class DicomDataset
{
    private readonly List<DicomElement> _elements;

    public DicomDataset() : this([], undefinedLength: false) { }

    public DicomDataset(List<DicomElement> elements, bool undefinedLength)
    {
        _elements = elements;
        UndefinedLength = undefinedLength;
    }

    /// <summary>As a sequence item: encoded with undefined length and an item delimiter.</summary>
    public bool UndefinedLength { get; set; }

    public IReadOnlyList<DicomElement> Elements => _elements;

    /// <summary>Groups whose group length element (gggg,0000) disagreed with the encoding when read: it is written back as read, not recomputed.</summary>
    internal HashSet<ushort> GroupLengthsKeptAsRead { get; } = [];

    public int Count => _elements.Count;

    public bool Contains(DicomTag tag) => IndexOf(tag) >= 0;

    public DicomElement? Find(DicomTag tag)
    {
        int index = IndexOf(tag);
        return index >= 0 ? _elements[index] : null;
    }

    public bool TryGet<T>(DicomTag tag, out T element) where T : DicomElement
    {
        element = (Find(tag) as T)!;
        return element is not null;
    }

    /// <summary>The ASCII value of an element (UIDs, code strings), or null when absent or not a value.</summary>
    public string? GetAsciiString(DicomTag tag) => Find(tag) is DicomValueElement { Bulk: null } value ? value.GetAsciiString() : null;

    /// <summary>Puts <paramref name="element"/> in place of the element with its tag, or inserts it in tag order.</summary>
    public void Set(DicomElement element)
    {
        int index = IndexOf(element.Tag);
        if (index >= 0)
        {
            _elements[index] = element;
            return;
        }
        int insertAt = _elements.FindIndex(e => e.Tag.Value > element.Tag.Value);
        _elements.Insert(insertAt < 0 ? _elements.Count : insertAt, element);
    }

    public bool Remove(DicomTag tag)
    {
        int index = IndexOf(tag);
        if (index < 0) return false;
        _elements.RemoveAt(index);
        return true;
    }

    public int RemoveAll(Predicate<DicomElement> match) => _elements.RemoveAll(match);

    /// <summary>Replaces every element with <paramref name="elements"/>, in the order given.</summary>
    public void ReplaceWith(IEnumerable<DicomElement> elements)
    {
        var replacement = elements.ToList();
        _elements.Clear();
        _elements.AddRange(replacement);
    }

    /// <summary>
    /// Puts the elements in ascending tag order and keeps only the first element of each tag, in this data set and in
    /// every item below it, as PS3.5 7.1 requires of any encoding; reports each change to <paramref name="repairs"/>
    /// (tags only, never a value). A file read as it came may break either rule; one written from it must not.
    /// </summary>
    public void Normalize(ICollection<StructureRepair> repairs)
    {
        foreach (var element in _elements)
        {
            if (element is DicomSequence sequence)
            {
                foreach (var item in sequence.Items) item.Normalize(repairs);
            }
        }
        if (IsStrictlyAscending()) return; // the usual case: nothing out of order, so nothing duplicated either
        var seen = new HashSet<uint>();
        int kept = 0;
        for (int i = 0; i < _elements.Count; i++)
        {
            var element = _elements[i];
            if (!seen.Add(element.Tag.Value))
            {
                repairs.Add(new StructureRepair(StructureRepairKind.DuplicateDropped, element.Tag));
                continue;
            }
            _elements[kept++] = element;
        }
        _elements.RemoveRange(kept, _elements.Count - kept);
        for (int i = 1; i < _elements.Count; i++)
        {
            if (_elements[i].Tag.Value > _elements[i - 1].Tag.Value) continue;
            repairs.Add(new StructureRepair(StructureRepairKind.Reordered, _elements[i].Tag));
            _elements.Sort((a, b) => a.Tag.Value.CompareTo(b.Tag.Value));
            break;
        }
    }

    private bool IsStrictlyAscending()
    {
        for (int i = 1; i < _elements.Count; i++)
        {
            if (_elements[i].Tag.Value <= _elements[i - 1].Tag.Value) return false;
        }
        return true;
    }

    /// <summary>Recompute every group length element on writing, including those that were wrong as read.</summary>
    public void RecomputeGroupLengths() => GroupLengthsKeptAsRead.Clear();

    private int IndexOf(DicomTag tag)
    {
        // Data sets are small (tens to a few thousand elements) and mostly sorted: a linear scan is cheap and keeps encoding order.
        for (int i = 0; i < _elements.Count; i++)
        {
            if (_elements[i].Tag == tag) return i;
        }
        return -1;
    }
}

namespace CloudAnon.Dicom;

/// <summary>
/// What a <see cref="DicomReader"/> needs to resume on the next block of bytes: encoding, absolute position,
/// open sequences and items, and the unread rest of a long value. A plain struct, so it survives an await;
/// it shares its container stack with the reader that produced it, so resume only from the newest state.
/// </summary>
public struct DicomReaderState
{
    internal readonly DicomReaderOptions Options;
    internal readonly bool ExplicitVR;
    internal readonly bool BigEndian;
    internal readonly bool StopAfterFileMetaGroup;
    internal readonly ContainerStack Containers;

    /// <param name="explicitVR">Whether the data set is encoded with explicit VRs.</param>
    /// <param name="bigEndian">Whether numbers are big endian.</param>
    /// <param name="startOffset">Absolute offset of the first byte, for positions in messages.</param>
    /// <param name="options">Limits.</param>
    /// <param name="stopAfterFileMetaGroup">Stop before the first element whose group is not 0002 (reading File Meta Information).</param>
    public DicomReaderState(bool explicitVR, bool bigEndian, long startOffset = 0, DicomReaderOptions options = default, bool stopAfterFileMetaGroup = false)
    {
        Options = options;
        ExplicitVR = explicitVR;
        BigEndian = bigEndian;
        StopAfterFileMetaGroup = stopAfterFileMetaGroup;
        Containers = new ContainerStack(options.MaxDepth);
        Position = startOffset;
    }

    public DicomReaderState(TransferSyntax syntax, long startOffset = 0, DicomReaderOptions options = default)
        : this(syntax.IsExplicitVR, syntax.IsBigEndian, startOffset, options)
    {
    }

    /// <summary>Absolute offset of the next unread byte.</summary>
    public long Position { readonly get; internal set; }

    /// <summary>Open sequences and items.</summary>
    public readonly int Depth => Containers.Count;

    /// <summary>Bytes of the current long value not yet handed out as chunks.</summary>
    public long PendingValueBytes { readonly get; internal set; }

    /// <summary>Marks <paramref name="count"/> bytes of the pending long value as consumed without reading them (the caller skipped them in its stream).</summary>
    public void SkipValueBytes(long count)
    {
        if (count < 0 || count > PendingValueBytes) throw new ArgumentOutOfRangeException(nameof(count));
        PendingValueBytes -= count;
        Position += count;
    }
}

internal enum ContainerKind : byte
{
    Sequence,
    Item,
    Fragments,
}

/// <summary>Open containers, innermost last. End is the absolute end offset, or -1 for undefined length.</summary>
internal sealed class ContainerStack(int maxDepth)
{
    private readonly List<(ContainerKind Kind, long End, bool ImplicitLittleEndian)> _frames = [];

    public int Count => _frames.Count;
    public int MaxDepth { get; } = maxDepth;

    public (ContainerKind Kind, long End, bool ImplicitLittleEndian) Top => _frames[^1];

    public void Push(ContainerKind kind, long end, bool implicitLittleEndian) => _frames.Add((kind, end, implicitLittleEndian));

    public void Pop() => _frames.RemoveAt(_frames.Count - 1);

    /// <summary>End offset of the innermost container with a defined length, or long.MaxValue.</summary>
    public long InnermostDefinedEnd()
    {
        for (int i = _frames.Count - 1; i >= 0; i--)
        {
            if (_frames[i].End >= 0) return _frames[i].End;
        }
        return long.MaxValue;
    }

    /// <summary>Within a UN sequence of undefined length, whose content is Implicit VR Little Endian (PS3.5 6.2.2).</summary>
    public bool InImplicitLittleEndian => _frames.Count > 0 && _frames[^1].ImplicitLittleEndian;
}

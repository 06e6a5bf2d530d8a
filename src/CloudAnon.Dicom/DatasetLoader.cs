namespace CloudAnon.Dicom;

/// <summary>Builds a <see cref="DicomDataset"/> from a token stream, leaving long values as bulk references.</summary>
internal sealed class DatasetLoader(DicomStreamReader reader, TransferSyntax syntax, Stream bulkStore, bool inPlace)
{
    // Beyond this many bytes of small values held in memory, further values over 1 KiB also become bulk references,
    // so a file made of many medium-sized values cannot make the reader allocate without bound.
    private const long InlineBudget = 32 * 1024 * 1024;
    private const int SmallValue = 1024;

    private readonly Stack<Frame> _frames = new();
    private long _inlineBytes;

    public async Task<DicomDataset> LoadAsync(CancellationToken cancellationToken)
    {
        var top = new List<DicomElement>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (reader.TokenType)
            {
                case DicomTokenType.Element:
                    Add(top, await ReadValueElementAsync(cancellationToken).ConfigureAwait(false));
                    break;
                case DicomTokenType.SequenceStart:
                    // A UN sequence of undefined length holds Implicit VR LE whatever the syntax (PS3.5 6.2.2): read from
                    // an implicit data set (an unknown tag) it must stay implicit when written in an explicit syntax.
                    _frames.Push(new Frame(reader.Tag, reader.VR, reader.ValueLength)
                    {
                        ImplicitContent = reader.ValueLength == DicomWriter.UndefinedLength && reader.VR == DicomVR.UN,
                    });
                    break;
                case DicomTokenType.ItemStart:
                    _frames.Push(new Frame(reader.Tag, default, reader.ValueLength));
                    break;
                case DicomTokenType.ItemEnd:
                {
                    var item = _frames.Pop();
                    _frames.Peek().Items.Add(new DicomDataset(item.Elements, item.Length == DicomWriter.UndefinedLength));
                    break;
                }
                case DicomTokenType.SequenceEnd:
                {
                    var sequence = _frames.Pop();
                    bool undefined = sequence.Length == DicomWriter.UndefinedLength;
                    Add(top, new DicomSequence(sequence.Tag, sequence.VR, sequence.Items, undefined, sequence.ImplicitContent));
                    break;
                }
                case DicomTokenType.FragmentsStart:
                    _frames.Push(new Frame(reader.Tag, reader.VR, reader.ValueLength));
                    break;
                case DicomTokenType.Fragment:
                    _frames.Peek().Fragments.Add(await ReadFragmentAsync(_frames.Peek().Fragments.Count == 0, cancellationToken).ConfigureAwait(false));
                    break;
                case DicomTokenType.FragmentsEnd:
                {
                    var fragments = _frames.Pop();
                    Add(top, new DicomFragments(fragments.Tag, fragments.VR, fragments.Fragments));
                    break;
                }
            }
        }
        var dataset = new DicomDataset(top, undefinedLength: false);
        DatasetEncoder.NoteInconsistentGroupLengths(dataset, syntax.IsExplicitVR);
        return dataset;
    }

    private void Add(List<DicomElement> top, DicomElement element) => (_frames.Count == 0 ? top : _frames.Peek().Elements).Add(element);

    private async ValueTask<DicomValueElement> ReadValueElementAsync(CancellationToken cancellationToken)
    {
        var tag = reader.Tag;
        var vr = syntax.IsExplicitVR || reader.IsImplicitLittleEndianContext ? reader.VR : ImplicitVR(tag, reader.VR);
        if (reader.HasValueChunks || (_inlineBytes > InlineBudget && reader.Value.Length > SmallValue))
        {
            return new DicomValueElement(tag, vr, await CaptureBulkAsync(cancellationToken).ConfigureAwait(false));
        }
        return new DicomValueElement(tag, vr, CopyValue(vr.UnitSize));
    }

    /// <summary>The Basic Offset Table is kept in memory; fragments become bulk references, so frames never pile up in memory.</summary>
    private async ValueTask<DicomFragment> ReadFragmentAsync(bool isOffsetTable, CancellationToken cancellationToken)
    {
        if (isOffsetTable && !reader.HasValueChunks) return new DicomFragment(CopyValue(4), null);
        return new DicomFragment(default, await CaptureBulkAsync(cancellationToken).ConfigureAwait(false));
    }

    private byte[] CopyValue(int unitSize)
    {
        var bytes = reader.Value.ToArray();
        if (syntax.IsBigEndian && !reader.IsImplicitLittleEndianContext && unitSize > 1) ByteSwap.InPlace(bytes, unitSize);
        _inlineBytes += bytes.Length;
        return bytes;
    }

    private async ValueTask<BulkDataReference> CaptureBulkAsync(CancellationToken cancellationToken)
    {
        bool bigEndian = syntax.IsBigEndian && !reader.IsImplicitLittleEndianContext;
        long length = reader.HasValueChunks ? reader.State.PendingValueBytes : reader.Value.Length;
        if (inPlace)
        {
            // A chunked value starts at the reader's position; a whole one ends there.
            long offset = reader.State.Position - (reader.HasValueChunks ? 0 : reader.Value.Length);
            if (reader.HasValueChunks) await reader.SkipValueAsync(cancellationToken).ConfigureAwait(false);
            return new BulkDataReference(bulkStore, offset, length, bigEndian);
        }
        long spoolOffset = bulkStore.Length;
        bulkStore.Seek(spoolOffset, SeekOrigin.Begin);
        if (reader.HasValueChunks) await reader.CopyValueToAsync(bulkStore, cancellationToken).ConfigureAwait(false);
        else await bulkStore.WriteAsync(reader.Value, cancellationToken).ConfigureAwait(false);
        return new BulkDataReference(bulkStore, spoolOffset, length, bigEndian);
    }

    /// <summary>Implicit VR data sets carry no VR: the dictionary's first choice, but OW for pixel and overlay data (the only choice implicit VR allows).</summary>
    private static DicomVR ImplicitVR(DicomTag tag, DicomVR dictionaryVR) =>
        tag == DicomTag.PixelData || ((tag.Group & 0xFF01) == 0x6000 && tag.Element == 0x3000) ? DicomVR.OW : dictionaryVR;

    /// <summary>An open sequence, item or fragment list and what has been read into it.</summary>
    private sealed record Frame(DicomTag Tag, DicomVR VR, uint Length)
    {
        public bool ImplicitContent { get; init; }
        public List<DicomElement> Elements { get; } = [];
        public List<DicomDataset> Items { get; } = [];
        public List<DicomFragment> Fragments { get; } = [];
    }
}

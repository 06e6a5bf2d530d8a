using System.Buffers.Binary;

namespace CloudAnon.Dicom;

/// <summary>Writes a <see cref="DicomDataset"/> through a <see cref="DicomWriter"/>, computing defined lengths and group lengths, and copying bulk data from its source.</summary>
internal static class DatasetEncoder
{
    private const int FlushThreshold = 256 * 1024;

    public static async ValueTask WriteAsync(DicomWriter writer, Stream output, DicomDataset dataset, CancellationToken cancellationToken)
    {
        await WriteElementsAsync(writer, output, dataset, explicitVR: writer.IsExplicitVRContext, cancellationToken).ConfigureAwait(false);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask WriteElementsAsync(DicomWriter writer, Stream output, DicomDataset dataset, bool explicitVR, CancellationToken cancellationToken)
    {
        var elements = dataset.Elements;
        for (int i = 0; i < elements.Count; i++)
        {
            switch (elements[i])
            {
                case DicomValueElement { Tag.IsGroupLength: true, Length: 4, Bulk: null } groupLength when !dataset.GroupLengthsKeptAsRead.Contains(groupLength.Tag.Group):
                    var length = new byte[4];
                    BinaryPrimitives.WriteUInt32LittleEndian(length, GroupLength(elements, i, explicitVR));
                    writer.WriteElement(groupLength.Tag, groupLength.VR, length);
                    break;
                case DicomValueElement { Bulk: null } value:
                    writer.WriteElement(value.Tag, value.VR, value.Bytes.Span);
                    break;
                case DicomValueElement { Bulk: { } bulk } value:
                    writer.WriteElementHeader(value.Tag, value.VR, (uint)bulk.Length);
                    await CopyBulkAsync(writer, output, bulk, value.VR.UnitSize, cancellationToken).ConfigureAwait(false);
                    break;
                case DicomSequence sequence:
                    bool contentExplicit = explicitVR && !sequence.ImplicitLittleEndianContent;
                    writer.WriteStartSequence(sequence.Tag, sequence.VR, sequence.UndefinedLength ? DicomWriter.UndefinedLength : ItemsLength(sequence, contentExplicit), sequence.ImplicitLittleEndianContent);
                    foreach (var item in sequence.Items)
                    {
                        writer.WriteStartItem(item.UndefinedLength ? DicomWriter.UndefinedLength : ElementsLength(item, contentExplicit));
                        await WriteElementsAsync(writer, output, item, contentExplicit, cancellationToken).ConfigureAwait(false);
                        writer.WriteEndItem();
                    }
                    writer.WriteEndSequence();
                    break;
                case DicomFragments fragments:
                    writer.WriteStartFragments(fragments.Tag, fragments.VR);
                    foreach (var fragment in fragments.Fragments)
                    {
                        writer.WriteFragmentHeader((uint)fragment.Length);
                        if (fragment.Bulk is { } bulk) await CopyBulkAsync(writer, output, bulk, 1, cancellationToken).ConfigureAwait(false);
                        else writer.WriteValueBytes(fragment.Bytes.Span, 1);
                    }
                    writer.WriteEndFragments();
                    break;
            }
            if (writer.BytesPending > FlushThreshold) await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async ValueTask CopyBulkAsync(DicomWriter writer, Stream output, BulkDataReference bulk, int unitSize, CancellationToken cancellationToken)
    {
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        bool swap = bulk.IsBigEndian != writer.IsBigEndianContext;
        await bulk.CopyToAsync(output, swap ? unitSize : 1, cancellationToken).ConfigureAwait(false);
        writer.AdvanceCommitted(bulk.Length);
    }

    /// <summary>
    /// Notes the group lengths that a file states wrongly (common in old files), so that an unchanged file writes back
    /// byte for byte while the group lengths of correct files are recomputed after a change.
    /// </summary>
    public static void NoteInconsistentGroupLengths(DicomDataset dataset, bool explicitVR)
    {
        var elements = dataset.Elements;
        for (int i = 0; i < elements.Count; i++)
        {
            switch (elements[i])
            {
                case DicomValueElement { Tag.IsGroupLength: true, Length: 4, Bulk: null } groupLength
                    when BinaryPrimitives.ReadUInt32LittleEndian(groupLength.Bytes.Span) != GroupLength(elements, i, explicitVR):
                    dataset.GroupLengthsKeptAsRead.Add(groupLength.Tag.Group);
                    break;
                case DicomSequence sequence:
                    foreach (var item in sequence.Items) NoteInconsistentGroupLengths(item, explicitVR && !sequence.ImplicitLittleEndianContent);
                    break;
            }
        }
    }

    /// <summary>The value of (gggg,0000): the encoded length of the elements of group gggg that follow it.</summary>
    private static uint GroupLength(IReadOnlyList<DicomElement> elements, int groupLengthIndex, bool explicitVR)
    {
        ushort group = elements[groupLengthIndex].Tag.Group;
        long total = 0;
        for (int i = groupLengthIndex + 1; i < elements.Count && elements[i].Tag.Group == group; i++) total += EncodedLength(elements[i], explicitVR);
        return checked((uint)total);
    }

    public static long EncodedLength(DicomElement element, bool explicitVR) => element switch
    {
        DicomValueElement value => HeaderLength(value.VR, value.Length, explicitVR) + value.Length,
        DicomSequence sequence => HeaderLength(sequence.VR, 0, explicitVR)
            + ItemsLength(sequence, explicitVR && !sequence.ImplicitLittleEndianContent)
            + (sequence.UndefinedLength ? 8 : 0),
        DicomFragments fragments => HeaderLength(fragments.VR, 0, explicitVR) + fragments.Fragments.Sum(f => 8 + f.Length) + 8,
        _ => throw new InvalidOperationException("Unknown element kind."),
    };

    private static uint ItemsLength(DicomSequence sequence, bool explicitVR)
    {
        long total = 0;
        foreach (var item in sequence.Items) total += 8 + ElementsLength(item, explicitVR) + (item.UndefinedLength ? 8 : 0);
        return checked((uint)total);
    }

    private static uint ElementsLength(DicomDataset dataset, bool explicitVR)
    {
        long total = 0;
        foreach (var element in dataset.Elements) total += EncodedLength(element, explicitVR);
        return checked((uint)total);
    }

    private static int HeaderLength(DicomVR vr, long length, bool explicitVR) =>
        !explicitVR ? 8 : vr.HasLongExplicitLength || length > ushort.MaxValue ? 12 : 8;
}

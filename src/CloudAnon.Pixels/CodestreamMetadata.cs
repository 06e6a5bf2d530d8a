using System.Buffers.Binary;
using CloudAnon.Dicom;
using CloudAnon.Pixels.Codecs;

namespace CloudAnon.Pixels;

/// <summary>
/// Removes the metadata segments of the codestreams in encapsulated Pixel Data (7FE0,0010), in the data set and in
/// every sequence item below it (an Icon Image Sequence's image), without decoding the image: JPEG and JPEG-LS APPn
/// (but JFIF and Adobe) and COM, JPEG 2000 and HTJ2K COM in the main and tile-part headers. Cameras and some modalities
/// write the patient's name, the exam date and device serial numbers there (EXIF Artist, ImageDescription,
/// DateTimeOriginal, BodySerialNumber). A frame split across fragments is walked as one codestream. A frame that
/// changes becomes one fragment of even length; the Basic and Extended Offset Tables are rewritten to match.
/// </summary>
public static class CodestreamMetadata
{

    private enum Format
    {
        /// <summary>RLE, encapsulated uncompressed, deflated frames, SMPTE ST 2110: raw samples, no place for metadata.</summary>
        NoMetadata,
        Jpeg,
        Jpeg2000,
        /// <summary>Formats with metadata this walker cannot reach: JPEG XL boxes and JPEG reconstruction data, video user data and SEI.</summary>
        NotWalkable,
    }

    /// <summary>Strips the metadata segments in place; returns how many frames changed.</summary>
    /// <exception cref="DeidentificationException">A codestream cannot be walked (<see cref="DeidentificationFailure.CodestreamMetadataUnwalkable"/>), or the fragments cannot be assigned to frames.</exception>
    public static async Task<int> StripAsync(DicomDataset dataset, TransferSyntax syntax, CancellationToken cancellationToken = default)
    {
        if (!syntax.IsEncapsulated) return 0;
        var format = FormatOf(syntax.Uid);
        return format == Format.NoMetadata ? 0 : await StripDatasetAsync(dataset, format, syntax, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> StripDatasetAsync(DicomDataset dataset, Format format, TransferSyntax syntax, CancellationToken cancellationToken)
    {
        int changed = 0;
        foreach (var element in dataset.Elements.ToArray())
        {
            switch (element)
            {
                case DicomFragments fragments:
                    if (format == Format.NotWalkable) throw CodestreamEdits.Unwalkable(syntax.Name, "no walker reads the metadata this format can carry");
                    changed += await StripFragmentsAsync(dataset, fragments, format, cancellationToken).ConfigureAwait(false);
                    break;
                case DicomSequence sequence:
                    foreach (var item in sequence.Items) changed += await StripDatasetAsync(item, format, syntax, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        return changed;
    }

    private static async Task<int> StripFragmentsAsync(DicomDataset dataset, DicomFragments pixelData, Format format, CancellationToken cancellationToken)
    {
        var fragments = pixelData.Fragments;
        if (fragments.Count < 2) return 0; // no frame: nothing to carry metadata
        var items = fragments.Skip(1).ToArray();
        var basicOffsets = EncapsulatedFrames.BasicOffsets(await ReadAsync(fragments[0], cancellationToken).ConfigureAwait(false));
        var extendedOffsets = dataset.Find(DicomTags.ExtendedOffsetTable) is DicomValueElement { Bulk: null } extended ? ExtendedOffsets(extended.Bytes.Span) : null;
        var offsets = basicOffsets.Length > 0 ? basicOffsets : extendedOffsets ?? [];
        int frameCount = Math.Max(1, PixelTags.IntegerString(dataset, DicomTags.NumberOfFrames) ?? 1);
        // The first bytes of each fragment are read only when FrameStarts will look for codestream starts.
        var heads = new byte[items.Length][];
        if (frameCount > 1 && items.Length != frameCount && offsets.Length != frameCount)
        {
            for (int i = 0; i < items.Length; i++) heads[i] = await HeadAsync(items[i], cancellationToken).ConfigureAwait(false);
        }
        var starts = EncapsulatedFrames.FrameStarts(offsets, [.. items.Select(f => f.Length)], i => StartsCodestream(format, heads[i]), frameCount);

        var rewritten = new List<DicomFragment>(fragments.Count);
        var frameOffsets = new long[starts.Length];
        var frameLengths = new long[starts.Length];
        long position = 0;
        int changed = 0;
        for (int frame = 0; frame < starts.Length; frame++)
        {
            int end = frame + 1 < starts.Length ? starts[frame + 1] : items.Length;
            var parts = items[starts[frame]..end];
            var codestream = await ConcatenateAsync(parts, cancellationToken).ConfigureAwait(false);
            byte[]? stripped = format == Format.Jpeg ? JpegCodestream.StripMetadata(codestream) : Jpeg2000Codestream.StripMetadata(codestream);
            // A frame keeps its fragments unless it changed or one of them has an odd length (PS3.5 A.4: fragments are even).
            bool keep = stripped is null && parts.All(p => p.Length % 2 == 0);
            IEnumerable<DicomFragment> output = keep ? parts : [new DicomFragment(PadToEven(stripped ?? codestream), null)];
            if (!keep) changed++;
            frameOffsets[frame] = position;
            foreach (var fragment in output)
            {
                rewritten.Add(fragment);
                position += 8 + fragment.Length;
            }
            frameLengths[frame] = position - frameOffsets[frame] - 8;
        }
        if (changed == 0) return 0;

        rewritten.Insert(0, basicOffsets.Length > 0 ? new DicomFragment(BasicOffsetTable(frameOffsets), null) : fragments[0]);
        dataset.Set(new DicomFragments(pixelData.Tag, pixelData.VR, rewritten));
        if (extendedOffsets is not null)
        {
            dataset.Set(new DicomValueElement(DicomTags.ExtendedOffsetTable, DicomVR.OV, LittleEndian(frameOffsets)));
            dataset.Set(new DicomValueElement(DicomTags.ExtendedOffsetTableLengths, DicomVR.OV, LittleEndian(frameLengths)));
        }
        return changed;
    }

    private static Format FormatOf(string uid) => uid switch
    {
        "1.2.840.10008.1.2.5" or "1.2.840.10008.1.2.1.98" or "1.2.840.10008.1.2.8.1" => Format.NoMetadata,
        _ when uid.StartsWith("1.2.840.10008.1.2.7.", StringComparison.Ordinal) => Format.NoMetadata,
        // ISO 10918 processes (4.50–4.70, retired ones included) and JPEG-LS (4.80, 4.81) share the marker segment syntax.
        _ when uid.StartsWith("1.2.840.10008.1.2.4.", StringComparison.Ordinal) && int.TryParse(uid["1.2.840.10008.1.2.4.".Length..], out int process)
            => process switch
            {
                >= 50 and <= 81 => Format.Jpeg,
                >= 90 and <= 93 or >= 201 and <= 203 => Format.Jpeg2000,
                _ => Format.NotWalkable,
            },
        _ => Format.NotWalkable,
    };

    /// <summary>A fragment that begins a frame's codestream: JPEG SOI, or JPEG 2000 SOC followed by SIZ.</summary>
    private static bool StartsCodestream(Format format, byte[] head) => format == Format.Jpeg
        ? head is [0xFF, 0xD8, ..]
        : head is [0xFF, 0x4F, 0xFF, 0x51, ..];

    private static async Task<byte[]> HeadAsync(DicomFragment fragment, CancellationToken cancellationToken)
    {
        if (fragment.Bulk is not { } bulk) return fragment.Bytes[..(int)Math.Min(4, fragment.Length)].ToArray();
        var head = new BulkDataReference(bulk.Source, bulk.Offset, Math.Min(4, bulk.Length), bulk.IsBigEndian);
        return await head.ReadAllAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadAsync(DicomFragment fragment, CancellationToken cancellationToken) =>
        fragment.Bulk is { } bulk ? await bulk.ReadAllAsync(cancellationToken).ConfigureAwait(false) : fragment.Bytes.ToArray();

    private static async Task<byte[]> ConcatenateAsync(DicomFragment[] parts, CancellationToken cancellationToken)
    {
        if (parts.Length == 1) return await ReadAsync(parts[0], cancellationToken).ConfigureAwait(false);
        var whole = new byte[parts.Sum(p => p.Length)];
        int at = 0;
        foreach (var part in parts)
        {
            var bytes = await ReadAsync(part, cancellationToken).ConfigureAwait(false);
            bytes.CopyTo(whole, at);
            at += bytes.Length;
        }
        return whole;
    }

    private static byte[] PadToEven(byte[] codestream) => codestream.Length % 2 == 0 ? codestream : [.. codestream, 0];

    /// <summary>Extended Offset Table (7FE0,0001): 64-bit offsets, used when the Basic Offset Table is empty (PS3.3 C.7.6.3).</summary>
    private static long[] ExtendedOffsets(ReadOnlySpan<byte> table)
    {
        var offsets = new long[table.Length / 8];
        for (int i = 0; i < offsets.Length; i++) offsets[i] = (long)BinaryPrimitives.ReadUInt64LittleEndian(table[(8 * i)..]);
        return offsets;
    }

    private static byte[] BasicOffsetTable(long[] frameOffsets)
    {
        if (frameOffsets[^1] > uint.MaxValue) throw CodestreamEdits.Unwalkable("encapsulated", "the rewritten frames no longer fit the 32-bit Basic Offset Table");
        var table = new byte[4 * frameOffsets.Length];
        for (int i = 0; i < frameOffsets.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(4 * i), (uint)frameOffsets[i]);
        return table;
    }

    private static byte[] LittleEndian(long[] values)
    {
        var bytes = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8 * i), (ulong)values[i]);
        return bytes;
    }
}

using System.Buffers.Binary;
using System.IO.Compression;

namespace CloudAnon.Dicom;

/// <summary>
/// A DICOM Part 10 file (or a raw data set without preamble and meta): File Meta Information and data set, with
/// long values left in the source as <see cref="BulkDataReference"/>s. Reading needs memory for the small values
/// only; values above the bulk threshold and all compressed fragments stay in the source stream when it can seek,
/// or go to a temporary spool file when it cannot. The source must stay open until the file has been written.
/// </summary>
public sealed class DicomFile : IDisposable
{
    private static readonly byte[] Prefix = "DICM"u8.ToArray();
    private Stream? _spool;

    private DicomFile(byte[]? preamble, DicomDataset fileMetaInformation, DicomDataset dataset, TransferSyntax transferSyntax)
    {
        Preamble = preamble;
        FileMetaInformation = fileMetaInformation;
        Dataset = dataset;
        TransferSyntax = transferSyntax;
    }

    /// <summary>The 128-byte preamble, or null when the source had no preamble and "DICM" prefix.</summary>
    public byte[]? Preamble { get; set; }

    /// <summary>Group 0002; empty when the source had none.</summary>
    public DicomDataset FileMetaInformation { get; }

    public DicomDataset Dataset { get; }

    /// <summary>The encoding the data set was read in (detected when the meta is missing or wrong).</summary>
    public TransferSyntax TransferSyntax { get; private set; }

    public static async Task<DicomFile> OpenAsync(Stream source, DicomReaderOptions options = default, CancellationToken cancellationToken = default)
    {
        long start = source.CanSeek ? source.Position : 0;
        using var reader = new DicomStreamReader(source, new DicomReaderState(true, false, start, options, stopAfterFileMetaGroup: true));
        var head = await reader.PeekAsync(132, cancellationToken).ConfigureAwait(false);
        if (head.IsEmpty) throw new DicomFormatException(DicomFormatErrorKind.NotDicom, "not a DICOM file: it is empty", start);

        byte[]? preamble = null;
        if (head.Length == 132 && head.Span[128..132].SequenceEqual(Prefix))
        {
            preamble = head[..128].ToArray();
            reader.Consume(132);
            head = await reader.PeekAsync(8, cancellationToken).ConfigureAwait(false);
        }

        if (!LooksLikeFileMetaGroup(head.Span) && preamble is null && !LooksLikeDataSet(head.Span))
        {
            throw new DicomFormatException(DicomFormatErrorKind.NotDicom, "not a DICOM file: no DICM prefix and no recognisable data set", start);
        }

        // Long values stay in a seekable source; otherwise (a network stream, inflated data) they go to a spool file.
        Stream? spool = !source.CanSeek ? CreateSpool() : null;
        try
        {
            var meta = new DicomDataset();
            if (LooksLikeFileMetaGroup(head.Span))
            {
                meta = await new DatasetLoader(reader, TransferSyntax.ExplicitVRLittleEndian, spool ?? source, inPlace: spool is null).LoadAsync(cancellationToken).ConfigureAwait(false);
            }

            head = await reader.PeekAsync(8, cancellationToken).ConfigureAwait(false);
            var declared = meta.GetAsciiString(DicomTag.TransferSyntaxUid) is { Length: > 0 } uid ? TransferSyntax.Lookup(uid) : null;
            var syntax = DetectEncoding(head.Span, declared);
            long position = reader.State.Position;
            if (syntax.IsDeflated) spool ??= CreateSpool();

            DicomDataset dataset;
            if (syntax.IsDeflated)
            {
                using var inflater = new DeflateStream(reader.DetachRemainder(), CompressionMode.Decompress);
                using var inflated = new DicomStreamReader(inflater, new DicomReaderState(syntax, position, options));
                try
                {
                    dataset = await new DatasetLoader(inflated, syntax, spool!, inPlace: false).LoadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidDataException)
                {
                    throw new DicomFormatException(DicomFormatErrorKind.Malformed, "deflated data set is not valid deflate data", position);
                }
            }
            else
            {
                reader.Restart(new DicomReaderState(syntax, position, options));
                dataset = await new DatasetLoader(reader, syntax, spool ?? source, inPlace: spool is null).LoadAsync(cancellationToken).ConfigureAwait(false);
            }
            return new DicomFile(preamble, meta, dataset, syntax) { _spool = spool };
        }
        catch
        {
            spool?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Records that the caller replaced the encapsulated pixel data with fragments of another encapsulated syntax (such as
    /// blanked frames re-encoded as RLE Lossless). The data set encoding, Explicit VR Little Endian, does not change.
    /// </summary>
    public void ChangeEncapsulatedSyntax(TransferSyntax syntax)
    {
        if (!TransferSyntax.IsEncapsulated || !syntax.IsEncapsulated || syntax.IsDeflated)
        {
            throw new InvalidOperationException($"Only an encapsulated syntax can replace another: {TransferSyntax.Uid} to {syntax.Uid}.");
        }
        TransferSyntax = syntax;
        FileMetaInformation.Set(DicomValueElement.FromString(DicomTag.TransferSyntaxUid, DicomVR.UI, syntax.Uid));
    }

    /// <summary>A new Part 10 file around <paramref name="dataset"/>, with File Meta Information for <paramref name="syntax"/>.</summary>
    public static DicomFile Create(DicomDataset fileMetaInformation, DicomDataset dataset, TransferSyntax syntax) =>
        new(new byte[128], fileMetaInformation, dataset, syntax);

    /// <summary>
    /// Writes the file. With no <paramref name="targetSyntax"/> the data set keeps its encoding and an unchanged file
    /// gives the same bytes; otherwise it is re-encoded (between uncompressed syntaxes only) and (0002,0010) updated.
    /// </summary>
    public async Task SaveAsync(Stream output, TransferSyntax? targetSyntax = null, CancellationToken cancellationToken = default)
    {
        var syntax = targetSyntax ?? TransferSyntax;
        if (syntax.Uid != TransferSyntax.Uid)
        {
            if (TransferSyntax.IsEncapsulated || syntax.IsEncapsulated)
            {
                throw new InvalidOperationException($"Cannot change the transfer syntax of encapsulated (compressed) pixel data: {TransferSyntax.Uid} to {syntax.Uid}.");
            }
            FileMetaInformation.Set(DicomValueElement.FromString(DicomTag.TransferSyntaxUid, DicomVR.UI, syntax.Uid));
            Preamble ??= new byte[128];
        }

        await using (var metaWriter = new DicomWriter(output, explicitVR: true, bigEndian: false))
        {
            if (Preamble is not null)
            {
                metaWriter.WriteRaw(Preamble);
                metaWriter.WriteRaw(Prefix);
            }
            await DatasetEncoder.WriteAsync(metaWriter, output, FileMetaInformation, cancellationToken).ConfigureAwait(false);
        }

        if (!syntax.IsDeflated)
        {
            await using var writer = new DicomWriter(output, syntax);
            await DatasetEncoder.WriteAsync(writer, output, Dataset, cancellationToken).ConfigureAwait(false);
            return;
        }
        await using (var deflater = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            await using var writer = new DicomWriter(deflater, syntax);
            await DatasetEncoder.WriteAsync(writer, deflater, Dataset, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Encodes a bare data set (no preamble or meta) in <paramref name="syntax"/>, e.g. the plaintext of encrypted attributes.</summary>
    public static async Task WriteDatasetAsync(Stream output, DicomDataset dataset, TransferSyntax syntax, CancellationToken cancellationToken = default)
    {
        await using var writer = new DicomWriter(output, syntax);
        await DatasetEncoder.WriteAsync(writer, output, dataset, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads a bare data set (no preamble or meta) encoded in <paramref name="syntax"/> from a seekable stream, which
    /// must stay open while bulk values of the result are used.
    /// </summary>
    public static async Task<DicomDataset> ReadDatasetAsync(Stream source, TransferSyntax syntax, DicomReaderOptions options = default, CancellationToken cancellationToken = default)
    {
        if (!source.CanSeek) throw new ArgumentException("The stream must be seekable.", nameof(source));
        using var reader = new DicomStreamReader(source, new DicomReaderState(syntax, source.Position, options));
        return await new DatasetLoader(reader, syntax, source, inPlace: true).LoadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads a defined-length UN value as the sequence the dictionary knows <paramref name="tag"/> to be: its items are
    /// Implicit VR Little Endian whatever the file's syntax (PS3.5 6.2.2), and must fill the value exactly.
    /// </summary>
    /// <exception cref="DicomFormatException">The value is not such a sequence, or <paramref name="tag"/> is not one.</exception>
    public static async Task<DicomSequence> ReadUnknownSequenceValueAsync(DicomTag tag, ReadOnlyMemory<byte> value, DicomReaderOptions options = default, CancellationToken cancellationToken = default)
    {
        if (DicomDictionary.GetVR(tag) != DicomVR.SQ) throw new DicomFormatException(DicomFormatErrorKind.Malformed, "The attribute is not a sequence in the dictionary", 0, tag);
        // The value behind an implicit element header, so the one data set reader parses it (and its limits apply).
        var encoded = new byte[8 + value.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(encoded, tag.Group);
        BinaryPrimitives.WriteUInt16LittleEndian(encoded.AsSpan(2), tag.Element);
        BinaryPrimitives.WriteUInt32LittleEndian(encoded.AsSpan(4), (uint)value.Length);
        value.Span.CopyTo(encoded.AsSpan(8));
        var dataset = await ReadDatasetAsync(new MemoryStream(encoded, writable: false), TransferSyntax.ImplicitVRLittleEndian, options, cancellationToken).ConfigureAwait(false);
        return dataset.Elements is [DicomSequence { UndefinedLength: false } sequence] && sequence.Tag == tag
            ? sequence
            : throw new DicomFormatException(DicomFormatErrorKind.Malformed, "The value is not a sequence of items", 8, tag);
    }

    public void Dispose()
    {
        _spool?.Dispose();
        _spool = null;
    }

    private static Stream CreateSpool() =>
        new FileStream(Path.Combine(Path.GetTempPath(), "cloudanon-" + Guid.NewGuid().ToString("N") + ".spool"),
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);

    /// <summary>(0002,xxxx) with an explicit VR: File Meta Information, possibly without preamble.</summary>
    private static bool LooksLikeFileMetaGroup(ReadOnlySpan<byte> head) =>
        head.Length >= 8 && head[0] == 0x02 && head[1] == 0x00 && DicomVR.TryParse(head[4], head[5], out _);

    /// <summary>A raw data set starts with a low even group (0000–0008 in practice: ACR-NEMA, command or identifying group).</summary>
    private static bool LooksLikeDataSet(ReadOnlySpan<byte> head)
    {
        if (head.Length < 8) return false;
        ushort littleEndianGroup = (ushort)(head[0] | head[1] << 8);
        ushort bigEndianGroup = (ushort)(head[0] << 8 | head[1]);
        return (littleEndianGroup <= 0x0008 && littleEndianGroup % 2 == 0) || bigEndianGroup == 0x0008;
    }

    /// <summary>
    /// The encoding of the data set, from its first element: the declared syntax unless the bytes plainly say otherwise
    /// (a meta that claims explicit VR over an implicit data set, or no meta at all).
    /// </summary>
    private static TransferSyntax DetectEncoding(ReadOnlySpan<byte> head, TransferSyntax? declared)
    {
        if (head.Length < 8 || declared is { IsDeflated: true }) return declared ?? TransferSyntax.ImplicitVRLittleEndian;
        // A low group (0008 …) shows the byte order; a high one (a private 3f03 read either way) does not contradict the meta.
        bool bigEndianGroup = head[0] == 0x00 && head[1] != 0x00;
        bool littleEndianGroup = head[1] == 0x00 && head[0] != 0x00;
        bool explicitVR = DicomVR.TryParse(head[4], head[5], out _);
        bool orderContradicted = declared is { IsBigEndian: true } ? littleEndianGroup : bigEndianGroup;
        if (declared is not null && declared.IsExplicitVR == explicitVR && (!explicitVR || !orderContradicted)) return declared;
        if (!explicitVR) return TransferSyntax.ImplicitVRLittleEndian;
        if (bigEndianGroup) return TransferSyntax.ExplicitVRBigEndian;
        return declared is { IsExplicitVR: true, IsBigEndian: false } ? declared : TransferSyntax.ExplicitVRLittleEndian;
    }
}

using System.Buffers.Binary;
using CloudAnon.Dicom;

namespace CloudAnon.Benchmarks.Pipeline;

/// <summary>
/// Synthetic CT instances for the pipeline benchmark: a real header written by the codec, then pixel data of any size
/// produced on the fly, so a 1 GiB instance never exists in memory or on disk.
/// </summary>
internal static class SyntheticInstances
{
    private const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";
    private const int RowBytes = 32 * 1024;

    public static string NewUid() => "2.25." + new System.Numerics.BigInteger(Guid.NewGuid().ToByteArray(), isUnsigned: true);

    /// <summary>A stream of the whole instance: header, then a (7FE0,0010) OW element of <paramref name="pixelBytes"/> (a multiple of 32 KiB: rows of 16,384 16-bit pixels).</summary>
    public static async Task<Stream> OpenAsync(string patientId, string studyUid, string seriesUid, long pixelBytes)
    {
        var dataset = new DicomDataset();
        Text(dataset, 0x00080016, DicomVR.UI, CtImageStorage);
        Text(dataset, 0x00080018, DicomVR.UI, NewUid());
        Text(dataset, 0x00080020, DicomVR.DA, "20240131");
        Text(dataset, 0x00080060, DicomVR.CS, "CT");
        Text(dataset, 0x00100010, DicomVR.PN, "Benchmark^Patient");
        Text(dataset, 0x00100020, DicomVR.LO, patientId);
        Text(dataset, 0x00100030, DicomVR.DA, "19700101");
        Text(dataset, 0x0020000D, DicomVR.UI, studyUid);
        Text(dataset, 0x0020000E, DicomVR.UI, seriesUid);
        Text(dataset, 0x00280301, DicomVR.CS, "NO");
        UShort(dataset, 0x00280002, 1);
        Text(dataset, 0x00280004, DicomVR.CS, "MONOCHROME2");
        UShort(dataset, 0x00280010, checked((ushort)(pixelBytes / RowBytes)));
        UShort(dataset, 0x00280011, RowBytes / 2);
        UShort(dataset, 0x00280100, 16);
        UShort(dataset, 0x00280101, 16);
        UShort(dataset, 0x00280102, 15);
        UShort(dataset, 0x00280103, 0);

        var meta = new DicomDataset();
        meta.Set(new DicomValueElement(DicomTag.FileMetaInformationGroupLength, DicomVR.UL, new byte[4]));
        meta.Set(new DicomValueElement(new DicomTag(0x0002, 0x0001), DicomVR.OB, new byte[] { 0, 1 }));
        Text(meta, 0x00020002, DicomVR.UI, CtImageStorage);
        Text(meta, 0x00020003, DicomVR.UI, dataset.GetAsciiString(DicomTag.SopInstanceUid)!);
        Text(meta, 0x00020010, DicomVR.UI, TransferSyntax.ExplicitVRLittleEndian.Uid);
        using var file = DicomFile.Create(meta, dataset, TransferSyntax.ExplicitVRLittleEndian);
        meta.RecomputeGroupLengths();
        var header = new MemoryStream();
        await file.SaveAsync(header);

        // Explicit VR Little Endian: tag, "OW", 2 reserved bytes, 32-bit length; pixel data is the last element.
        var element = new byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(element, 0x7FE0);
        BinaryPrimitives.WriteUInt16LittleEndian(element.AsSpan(2), 0x0010);
        element[4] = (byte)'O';
        element[5] = (byte)'W';
        BinaryPrimitives.WriteUInt32LittleEndian(element.AsSpan(8), checked((uint)pixelBytes));
        header.Write(element);
        return new GeneratedInstanceStream(header.ToArray(), pixelBytes);
    }

    private static void Text(DicomDataset dataset, uint tag, DicomVR vr, string value) =>
        dataset.Set(DicomValueElement.FromString(new DicomTag(tag), vr, value));

    private static void UShort(DicomDataset dataset, uint tag, ushort value) =>
        dataset.Set(new DicomValueElement(new DicomTag(tag), DicomVR.US, BitConverter.GetBytes(value)));

    /// <summary>A forward-only stream: fixed header bytes, then <c>pixelBytes</c> generated pixel bytes.</summary>
    private sealed class GeneratedInstanceStream(byte[] header, long pixelBytes) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => header.Length + pixelBytes;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int written = 0;
            while (written < buffer.Length && _position < Length)
            {
                if (_position < header.Length)
                {
                    int take = (int)Math.Min(buffer.Length - written, header.Length - _position);
                    header.AsSpan((int)_position, take).CopyTo(buffer[written..]);
                    written += take;
                    _position += take;
                    continue;
                }

                int pixels = (int)Math.Min(buffer.Length - written, Length - _position);
                for (int i = 0; i < pixels; i++)
                {
                    buffer[written + i] = (byte)((_position + i) * 31 >> 3);
                }

                written += pixels;
                _position += pixels;
            }

            return written;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer, offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

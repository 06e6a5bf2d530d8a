using System.Buffers.Binary;
using CloudAnon.Dicom;
using CloudAnon.Pixels.Codecs;

namespace CloudAnon.Pixels;

/// <summary>
/// Every frame of a file's pixel data, decoded to native little-endian samples (interleaved, or planar when the module
/// says so), and the encoding they came in. Blanked frames are written back uncompressed when they came uncompressed,
/// and as RLE Lossless when they came encapsulated.
/// </summary>
public sealed class PixelFrames
{
    private PixelFrames(ImagePixelModule module, byte[][] frames, DicomVR nativeVR, bool wasEncapsulated)
    {
        Module = module;
        Frames = frames;
        _nativeVR = nativeVR;
        WasEncapsulated = wasEncapsulated;
    }

    private readonly DicomVR _nativeVR;

    public ImagePixelModule Module { get; }

    public byte[][] Frames { get; }

    /// <summary>The pixel data was encapsulated (compressed): blanked frames are written as RLE Lossless.</summary>
    public bool WasEncapsulated { get; }

    /// <summary>Reads and decodes all frames; throws <see cref="DeidentificationException"/> when they cannot be decoded or exceed <paramref name="maxBytes"/>.</summary>
    public static async Task<PixelFrames> ReadAsync(DicomDataset dataset, TransferSyntax syntax, ImagePixelModule module, long maxBytes, CancellationToken cancellationToken)
    {
        var kind = PixelEncoding.Classify(syntax.Uid);
        module = DecodedLayout(kind, module);
        if (module.FrameLength * module.NumberOfFrames > maxBytes)
        {
            throw new DeidentificationException(DeidentificationFailure.PixelDataTooLarge, $"Decoded pixel data would exceed {maxBytes} bytes.");
        }
        var frames = new byte[module.NumberOfFrames][];
        for (int i = 0; i < frames.Length; i++) frames[i] = new byte[module.FrameLength];

        switch (dataset.Find(DicomTag.PixelData))
        {
            case DicomValueElement native when kind == PixelEncodingKind.Native:
                // Values in memory are little-endian already; bulk values of a big-endian source are swapped as they are read.
                byte[] bytes = native.Bulk is { } bulk
                    ? await bulk.ReadAllAsync(cancellationToken, bulk.IsBigEndian ? native.VR.UnitSize : 1).ConfigureAwait(false)
                    : native.Bytes.ToArray();
                if (bytes.LongLength < module.FrameLength * frames.Length) throw Undecodable("Pixel Data is shorter than Rows × Columns × Samples × Frames");
                for (int i = 0; i < frames.Length; i++) bytes.AsSpan((int)(i * module.FrameLength), (int)module.FrameLength).CopyTo(frames[i]);
                return new PixelFrames(module, frames, native.VR, wasEncapsulated: false);
            case DicomFragments fragments when kind != PixelEncodingKind.Native:
                var codestreams = await EncapsulatedFrames.ReadAsync(fragments, frames.Length, maxBytes, cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < frames.Length; i++) Decode(kind, codestreams[i], module, frames[i]);
                return new PixelFrames(module, frames, module.BitsAllocated == 8 ? DicomVR.OB : DicomVR.OW, wasEncapsulated: true);
            default:
                throw Undecodable("Pixel Data is missing or not encoded as its transfer syntax requires");
        }
    }

    /// <summary>The Pixel Data element of these frames: native for a native source, RLE fragments with an offset table otherwise.</summary>
    public DicomElement ToPixelDataElement()
    {
        if (!WasEncapsulated)
        {
            var bytes = new byte[(Module.FrameLength * Frames.Length + 1) & ~1L];
            for (int i = 0; i < Frames.Length; i++) Frames[i].CopyTo(bytes, i * Module.FrameLength);
            return new DicomValueElement(DicomTag.PixelData, _nativeVR, bytes);
        }
        var encoded = Frames.Select(frame => RleCodec.Encode(frame, Module)).ToList();
        var offsets = new byte[4 * encoded.Count];
        long offset = 0;
        for (int i = 0; i < encoded.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(offsets.AsSpan(4 * i), checked((uint)offset));
            offset += 8 + encoded[i].Length;
        }
        return new DicomFragments(DicomTag.PixelData, DicomVR.OB,
            [new DicomFragment(offsets, null), .. encoded.Select(e => new DicomFragment(e, null))]);
    }

    /// <summary>
    /// The layout frames have once decoded: JPEG gives interleaved samples with chroma upsampled (YBR_FULL_422 → YBR_FULL);
    /// RLE and native keep the header's layout, and RLE cannot hold YBR_FULL_422 (PS3.5 8.2.2).
    /// </summary>
    private static ImagePixelModule DecodedLayout(PixelEncodingKind kind, ImagePixelModule module) => kind switch
    {
        PixelEncodingKind.Jpeg => module with { Photometric = module.Photometric == Photometric.YbrFull422 ? Photometric.YbrFull : module.Photometric, Planar = false },
        PixelEncodingKind.Rle or PixelEncodingKind.EncapsulatedUncompressed when module.Photometric == Photometric.YbrFull422
            => throw new DeidentificationException(DeidentificationFailure.PixelLayoutUnsupported, "YBR_FULL_422 is not a valid layout for RLE or encapsulated uncompressed pixel data."),
        _ => module,
    };

    private static void Decode(PixelEncodingKind kind, ReadOnlyMemory<byte> codestream, ImagePixelModule module, byte[] frame)
    {
        switch (kind)
        {
            case PixelEncodingKind.Rle:
                RleCodec.Decode(codestream.Span, module, frame);
                break;
            case PixelEncodingKind.Jpeg:
                JpegFrameDecoder.Decode(codestream, module, frame);
                break;
            default:
                if (codestream.Length < frame.Length) throw Undecodable("an encapsulated uncompressed frame is shorter than its size");
                codestream.Span[..frame.Length].CopyTo(frame);
                break;
        }
    }

    private static DeidentificationException Undecodable(string why) => new(DeidentificationFailure.PixelDataUndecodable, why + ".");
}

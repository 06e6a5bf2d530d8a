using System.Buffers.Binary;
using CloudAnon.Dicom;

namespace CloudAnon.Pixels;

/// <summary>
/// Overlay planes kept in Pixel Data's bits above High Bit (Overlay Bits Allocated above 1: retired in 2004, still in
/// older archives). The profile removes their 60xx groups, but the bits stay in the pixels, text and all, for anyone
/// who masks them out: when such a plane is declared, every bit above High Bit of the native pixel data is cleared.
/// </summary>
public static class EmbeddedOverlays
{

    /// <summary>Clears the bits above High Bit when an overlay plane is declared inside Pixel Data.</summary>
    /// <exception cref="DeidentificationException">The pixel data cannot be read, or decoded it would exceed <paramref name="maxBytes"/>.</exception>
    public static async Task ClearAsync(DicomFile file, long maxBytes, CancellationToken cancellationToken)
    {
        var dataset = file.Dataset;
        // Encapsulated pixel data cannot carry them (PS3.5 8.1.2), nor samples with no bit above High Bit.
        if (!dataset.Elements.Any(DeclaresPlane) || file.TransferSyntax.IsEncapsulated || !dataset.Contains(DicomTag.PixelData)) return;
        var module = ImagePixelModule.Read(dataset);
        if (module.BitsStored == module.BitsAllocated) return;
        var frames = await PixelFrames.ReadAsync(dataset, file.TransferSyntax, module, maxBytes, cancellationToken).ConfigureAwait(false);
        foreach (var frame in frames.Frames) FrameBlanker.ClearAboveHighBit(frame, frames.Module);
        dataset.Set(frames.ToPixelDataElement());
    }

    /// <summary>Overlay Bits Allocated (60xx,0100) above 1: the overlay plane of this group is kept in Pixel Data's bits.</summary>
    public static bool DeclaresPlane(DicomElement element) =>
        (element.Tag.Group & 0xFF01) == 0x6000 && element.Tag.Element == 0x0100
        && element is DicomValueElement { Bulk: null, Length: >= 2 } bitsAllocated
        && BinaryPrimitives.ReadUInt16LittleEndian(bitsAllocated.Bytes.Span) > 1;
}

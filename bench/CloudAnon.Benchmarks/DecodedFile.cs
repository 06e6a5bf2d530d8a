using CloudAnon.Dicom;
using CloudAnon.Pixels;

namespace CloudAnon.Benchmarks;

/// <summary>A DICOM file's frames as the cleaner decodes them, and its palette (PALETTE COLOR) for rendering.</summary>
internal sealed record DecodedFile(PixelFrames Frames, PaletteLut? Palette)
{
    public static async Task<DecodedFile> ReadAsync(byte[] bytes)
    {
        using var file = await DicomFile.OpenAsync(new MemoryStream(bytes, writable: false));
        var frames = await PixelFrames.ReadAsync(file.Dataset, file.TransferSyntax, ImagePixelModule.Read(file.Dataset), 1L << 31, CancellationToken.None);
        var palette = frames.Module.Photometric == Photometric.PaletteColor ? await PaletteLut.ReadAsync(file.Dataset, CancellationToken.None) : null;
        return new DecodedFile(frames, palette);
    }
}

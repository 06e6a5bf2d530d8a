using CloudAnon.Dicom;
using CloudAnon.Pixels.Detection;
using CloudAnon.Pixels.Regions;
using CloudAnon.TestSupport;

namespace CloudAnon.Pixels.Tests;

/// <summary>
/// The device entries of signatures.txt against the corpus files they were measured on: each file's header selects its
/// device's banner, the banner holds text the detector finds, and a device without an entry gets no rectangle.
/// </summary>
[Collection(DetectorCollection.Name)]
public sealed class SignatureTests(DetectorFixture fixture)
{
    [Theory]
    [InlineData("private/philips_us/OBXXXX1A_rle_PhilipsUS.dcm", 0, 0, 800, 60)]
    [InlineData("modality/US/examples_palette_US.dcm", 0, 0, 800, 60)]
    [InlineData("private/acuson/YBR_FULL-RLE_Acuson.dcm", 0, 0, 640, 48)]
    [InlineData("private/ge/PrivateTags_GEMS_Ultrasound.dcm", 0, 0, 640, 42)]
    public async Task A_device_entry_matches_its_file_and_covers_banner_text(string relativePath, int x, int y, int width, int height)
    {
        var (file, frames, palette) = await OpenAsync(relativePath);
        using (file)
        {
            var banner = Assert.Single(BurnedInTextSignatures.Default.Match(file.Dataset, frames.Module.Columns, frames.Module.Rows));
            Assert.Equal(new PixelRegion(x, y, width, height), banner);

            var mask = new BlankMask(frames.Module.Columns, frames.Module.Rows);
            mask.Add(banner);
            var text = fixture.Detector.Detect(FrameRenderer.Render(frames.Frames[0], frames.Module, palette));
            Assert.Contains(text, region => mask.Coverage(region) == 1);
        }
    }

    [Theory]
    [InlineData("private/kinetdx/JPGLosslessP14SV1_KINETDX_PhilipsUS.dcm")] // Philips EPIQ 7C: no fixed banner seen
    [InlineData("modality/US_multiframe/examples_ybr_color_30frames.dcm")] // SonoSite: no banner
    public async Task A_device_without_an_entry_gets_no_rectangle(string relativePath)
    {
        await using var stream = File.OpenRead(Corpus.Get(relativePath).FullPath);
        using var file = await DicomFile.OpenAsync(stream);
        var module = ImagePixelModule.Read(file.Dataset);
        Assert.Empty(BurnedInTextSignatures.Default.Match(file.Dataset, module.Columns, module.Rows));
    }

    private static async Task<(DicomFile File, PixelFrames Frames, PaletteLut? Palette)> OpenAsync(string relativePath)
    {
        var file = await DicomFile.OpenAsync(new MemoryStream(await File.ReadAllBytesAsync(Corpus.Get(relativePath).FullPath)));
        var frames = await PixelFrames.ReadAsync(file.Dataset, file.TransferSyntax, ImagePixelModule.Read(file.Dataset), 1L << 30, CancellationToken.None);
        var palette = frames.Module.Photometric == Photometric.PaletteColor ? await PaletteLut.ReadAsync(file.Dataset, CancellationToken.None) : null;
        return (file, frames, palette);
    }
}

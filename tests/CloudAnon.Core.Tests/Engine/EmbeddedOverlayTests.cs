using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CloudAnon.Core.Mapping;
using CloudAnon.Core.Profile;
using CloudAnon.Core.Reversible;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;
using static CloudAnon.TestSupport.RawDicom;
using static CloudAnon.Core.Tests.Engine.RealWorldFiles;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>Overlay planes in the bits of Pixel Data above High Bit. Files written byte by byte (<see cref="RealWorldFiles"/>).</summary>
public sealed class EmbeddedOverlayTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_overlay_plane_in_the_bits_above_high_bit_loses_its_bits_and_other_pixels_stay_bit_exact(bool embeddedOverlay)
    {
        // 16 × 16 CT, 12 bits stored: bit 12 carries an overlay plane (a block of "text"), bits 0–11 the image.
        const int Rows = 16, Columns = 16;
        var pixels = new byte[Rows * Columns * 2];
        for (int i = 0; i < Rows * Columns; i++)
        {
            int value = (i * 37) & 0x0FFF | (i % 5 == 0 ? 0x1000 : 0);
            pixels[2 * i] = (byte)value;
            pixels[2 * i + 1] = (byte)(value >> 8);
        }
        byte[][] overlayPlane = embeddedOverlay
            ? [Explicit(0x60000010, "US", [Rows, 0]), Explicit(0x60000011, "US", [Columns, 0]), Explicit(0x60000040, "CS", "G"),
               Explicit(0x60000050, "SS", [1, 0, 1, 0]), Explicit(0x60000100, "US", [16, 0]), Explicit(0x60000102, "US", [12, 0])]
            : [];
        byte[] input = File(ExplicitLittleEndian, [],
            [Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2"), Explicit(0x00080018, "UI", SopUid), Explicit(0x00080060, "CS", "CT"),
            Explicit(0x00100010, "PN", "Ross^Ann"), Explicit(0x00100020, "LO", "PID9"),
            Explicit(0x0020000D, "UI", StudyUid), Explicit(0x0020000E, "UI", SeriesUid),
            Explicit(0x00280002, "US", [1, 0]), Explicit(0x00280004, "CS", "MONOCHROME2"),
            Explicit(0x00280010, "US", [Rows, 0]), Explicit(0x00280011, "US", [Columns, 0]),
            Explicit(0x00280100, "US", [16, 0]), Explicit(0x00280101, "US", [12, 0]), Explicit(0x00280102, "US", [11, 0]), Explicit(0x00280103, "US", [0, 0]),
            .. overlayPlane,
            Explicit(0x7FE00010, "OW", pixels)]);
        byte[] output = await RunAsync(NewDeidentifier(new InMemoryMappingStore()), input);
        using var result = await DicomFile.OpenAsync(new MemoryStream(output));

        Assert.DoesNotContain(result.Dataset.Elements, element => element.Tag.Group == 0x6000);
        Assert.True(result.Dataset.TryGet<DicomValueElement>(DicomTag.PixelData, out var pixelData));
        byte[] expected = [.. pixels];
        for (int i = 1; embeddedOverlay && i < expected.Length; i += 2) expected[i] &= 0x0F;
        Assert.Equal(expected, pixelData.Bytes.ToArray());
    }
}

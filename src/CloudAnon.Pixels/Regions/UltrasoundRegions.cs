using CloudAnon.Dicom;

namespace CloudAnon.Pixels.Regions;

/// <summary>
/// The data regions of an ultrasound image, from the Sequence of Ultrasound Regions (0018,6011): the image, Doppler and
/// M-mode areas. Everything outside them is the device's own display (patient banner, settings, logos) and is blanked.
/// </summary>
public static class UltrasoundRegions
{
    /// <summary>The regions' rectangles (inclusive Min/Max X0/Y0/X1/Y1 made half-open); empty when the sequence is absent or empty.</summary>
    public static IReadOnlyList<PixelRegion> Read(DicomDataset dataset)
    {
        if (dataset.Find(DicomTags.SequenceOfUltrasoundRegions) is not DicomSequence sequence) return [];
        var regions = new List<PixelRegion>();
        foreach (var item in sequence.Items)
        {
            int? x0 = PixelTags.Number(item, DicomTags.RegionLocationMinX0), y0 = PixelTags.Number(item, DicomTags.RegionLocationMinY0);
            int? x1 = PixelTags.Number(item, DicomTags.RegionLocationMaxX1), y1 = PixelTags.Number(item, DicomTags.RegionLocationMaxY1);
            if (x0 is null || y0 is null || x1 is null || y1 is null || x1 < x0 || y1 < y0) continue;
            regions.Add(new PixelRegion(x0.Value, y0.Value, x1.Value - x0.Value + 1, y1.Value - y0.Value + 1));
        }
        return regions;
    }
}

using CloudAnon.Dicom;

namespace CloudAnon.Pixels;

/// <summary>Photometric interpretations whose pixels can be rendered for detection and blanked.</summary>
public enum Photometric
{
    Monochrome1,
    Monochrome2,
    Rgb,
    YbrFull,
    YbrFull422,
    PaletteColor,
}

/// <summary>
/// The Image Pixel module of a data set (PS3.3 C.7.6.3): how a frame's samples are laid out. Only layouts the cleaner
/// handles are accepted: 8- or 16-bit samples, High Bit = Bits Stored − 1, one or three samples per pixel.
/// </summary>
public sealed record ImagePixelModule(
    int Rows,
    int Columns,
    int SamplesPerPixel,
    Photometric Photometric,
    bool Planar,
    int BitsAllocated,
    int BitsStored,
    bool Signed,
    int NumberOfFrames)
{
    // 16384 × 16384 covers every modality that burns text in; larger claims are malformed or whole-slide levels.
    private const int MaxDimension = 16384;

    public int BytesPerSample => BitsAllocated / 8;
    public int PixelsPerFrame => Rows * Columns;
    /// <summary>Bytes per frame; YBR_FULL_422 stores two luma and one chroma pair per two pixels.</summary>
    public long FrameLength => Photometric == Photometric.YbrFull422 ? 2L * PixelsPerFrame : (long)PixelsPerFrame * SamplesPerPixel * BytesPerSample;

    /// <summary>The stored value range: [−2^(n−1), 2^(n−1) − 1] when signed, [0, 2^n − 1] otherwise.</summary>
    public int MinimumValue => Signed ? -(1 << (BitsStored - 1)) : 0;
    public int MaximumValue => Signed ? (1 << (BitsStored - 1)) - 1 : (1 << BitsStored) - 1;

    /// <summary>Reads and checks the module; a layout the cleaner does not handle throws <see cref="DeidentificationException"/>.</summary>
    public static ImagePixelModule Read(DicomDataset dataset)
    {
        int rows = Required(dataset, DicomTags.Rows), columns = Required(dataset, DicomTags.Columns);
        int samples = Required(dataset, DicomTags.SamplesPerPixel);
        int bitsAllocated = Required(dataset, DicomTags.BitsAllocated), bitsStored = Required(dataset, DicomTags.BitsStored);
        int highBit = Required(dataset, DicomTags.HighBit);
        bool signed = PixelTags.Number(dataset, DicomTags.PixelRepresentation) == 1;
        bool planar = PixelTags.Number(dataset, DicomTags.PlanarConfiguration) == 1;
        int frames = PixelTags.IntegerString(dataset, DicomTags.NumberOfFrames) ?? 1;
        string photometricText = dataset.GetAsciiString(DicomTags.PhotometricInterpretation) ?? "";

        if (rows is 0 or > MaxDimension || columns is 0 or > MaxDimension || frames is < 1 or > 100_000)
        {
            throw Unsupported("Rows, Columns or Number of Frames out of range");
        }
        if (bitsAllocated is not (8 or 16) || bitsStored < 1 || bitsStored > bitsAllocated || highBit != bitsStored - 1)
        {
            throw Unsupported("Bits Allocated must be 8 or 16 with High Bit = Bits Stored − 1");
        }
        var photometric = photometricText switch
        {
            "MONOCHROME1" => Photometric.Monochrome1,
            "MONOCHROME2" => Photometric.Monochrome2,
            "RGB" => Photometric.Rgb,
            "YBR_FULL" => Photometric.YbrFull,
            "YBR_FULL_422" => Photometric.YbrFull422,
            "PALETTE COLOR" => Photometric.PaletteColor,
            _ => throw Unsupported("Photometric Interpretation is not one of MONOCHROME1/2, RGB, YBR_FULL(_422), PALETTE COLOR"),
        };
        int expectedSamples = photometric is Photometric.Monochrome1 or Photometric.Monochrome2 or Photometric.PaletteColor ? 1 : 3;
        if (samples != expectedSamples) throw Unsupported("Samples per Pixel does not match the Photometric Interpretation");
        if (photometric == Photometric.YbrFull422 && (columns % 2 != 0 || bitsAllocated != 8))
        {
            throw Unsupported("YBR_FULL_422 needs an even number of columns and 8-bit samples");
        }
        return new ImagePixelModule(rows, columns, samples, photometric, planar && samples == 3, bitsAllocated, bitsStored, signed, frames);
    }

    public static string PhotometricName(Photometric photometric) => photometric switch
    {
        Photometric.Monochrome1 => "MONOCHROME1",
        Photometric.Monochrome2 => "MONOCHROME2",
        Photometric.Rgb => "RGB",
        Photometric.YbrFull => "YBR_FULL",
        Photometric.YbrFull422 => "YBR_FULL_422",
        _ => "PALETTE COLOR",
    };

    private static int Required(DicomDataset dataset, DicomTag tag) =>
        PixelTags.Number(dataset, tag) ?? throw Unsupported($"{tag} is missing");

    private static DeidentificationException Unsupported(string why) => new(DeidentificationFailure.PixelLayoutUnsupported, why + ".");
}

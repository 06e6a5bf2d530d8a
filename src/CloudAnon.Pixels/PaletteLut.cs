using System.Buffers.Binary;
using CloudAnon.Dicom;

namespace CloudAnon.Pixels;

/// <summary>
/// The red, green and blue palette lookup tables of a PALETTE COLOR image (PS3.3 C.7.6.3.1.5), reduced to 8 bits per
/// channel: for rendering frames for detection and for finding the darkest entry to blank with.
/// </summary>
internal sealed class PaletteLut
{
    private readonly byte[][] _channels;

    private PaletteLut(int firstMapped, byte[][] channels)
    {
        FirstMapped = firstMapped;
        _channels = channels;
    }

    /// <summary>The stored pixel value mapped to the first entry.</summary>
    public int FirstMapped { get; }

    public int Count => _channels[0].Length;

    public static async Task<PaletteLut> ReadAsync(DicomDataset dataset, CancellationToken cancellationToken)
    {
        var channels = new byte[3][];
        int firstMapped = 0;
        for (int channel = 0; channel < 3; channel++)
        {
            int? entries = PixelTags.Number(dataset, PixelTags.PaletteDescriptor(channel));
            firstMapped = PixelTags.Number(dataset, PixelTags.PaletteDescriptor(channel), 1) ?? 0;
            int bits = PixelTags.Number(dataset, PixelTags.PaletteDescriptor(channel), 2) ?? 0;
            if (entries is null || bits is not (8 or 16) || dataset.Find(PixelTags.PaletteData(channel)) is not DicomValueElement data)
            {
                throw new DeidentificationException(DeidentificationFailure.PixelLayoutUnsupported, "PALETTE COLOR without a red, green and blue lookup table of 8 or 16 bits (segmented tables are not handled).");
            }
            int count = entries == 0 ? 65536 : entries.Value;
            byte[] bytes = data.Bulk is { } bulk ? await bulk.ReadAllAsync(cancellationToken).ConfigureAwait(false) : data.Bytes.ToArray();
            if (bytes.Length < count * 2 && !(bits == 8 && bytes.Length >= count))
            {
                throw new DeidentificationException(DeidentificationFailure.PixelDataUndecodable, $"Palette data {PixelTags.PaletteData(channel)} is shorter than its descriptor says.");
            }
            // 8-bit entries may be packed one per byte or stored one per 16-bit word; 16-bit entries keep their high byte.
            bool packed = bits == 8 && bytes.Length < count * 2;
            channels[channel] = new byte[count];
            for (int i = 0; i < count; i++)
            {
                channels[channel][i] = packed ? bytes[i]
                    : bits == 8 ? (byte)BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i * 2)) : (byte)(BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i * 2)) >> 8);
            }
        }
        if (channels[1].Length != channels[0].Length || channels[2].Length != channels[0].Length)
        {
            throw new DeidentificationException(DeidentificationFailure.PixelLayoutUnsupported, "PALETTE COLOR tables of different lengths are not handled.");
        }
        return new PaletteLut(firstMapped, channels);
    }

    /// <summary>The colour of a stored value; values outside the table take its first or last entry (PS3.3 C.7.6.3.1.5).</summary>
    public (byte R, byte G, byte B) Lookup(int stored)
    {
        int index = Math.Clamp(stored - FirstMapped, 0, Count - 1);
        return (_channels[0][index], _channels[1][index], _channels[2][index]);
    }

    /// <summary>The stored value of the darkest entry (lowest luma), to blank with.</summary>
    public int DarkestStoredValue()
    {
        int best = 0, bestLuma = int.MaxValue;
        for (int i = 0; i < Count; i++)
        {
            int luma = 299 * _channels[0][i] + 587 * _channels[1][i] + 114 * _channels[2][i];
            if (luma < bestLuma) (best, bestLuma) = (i, luma);
        }
        return FirstMapped + best;
    }
}

using System.Buffers.Binary;

namespace CloudAnon.Pixels;

/// <summary>
/// Overwrites the masked pixels of a native frame with black as its Photometric Interpretation defines it, and clears
/// the bits above High Bit everywhere (old files keep overlays there).
/// </summary>
internal static class FrameBlanker
{
    public static void Blank(Span<byte> frame, ImagePixelModule module, BlankMask mask, int? paletteBlack)
    {
        int[] black = BlackSamples(module, paletteBlack);
        int storedMask = (1 << module.BitsStored) - 1;
        if (module.Photometric == Photometric.YbrFull422)
        {
            BlankPairs(frame, mask, storedMask);
            return;
        }
        int pixels = module.PixelsPerFrame, samples = module.SamplesPerPixel, bytes = module.BytesPerSample;
        for (int pixel = 0; pixel < pixels; pixel++)
        {
            bool blank = mask[pixel % module.Columns, pixel / module.Columns];
            for (int sample = 0; sample < samples; sample++)
            {
                int at = (module.Planar ? sample * pixels + pixel : pixel * samples + sample) * bytes;
                if (bytes == 1) frame[at] = (byte)((blank ? black[sample] : frame[at]) & storedMask);
                else
                {
                    int value = blank ? black[sample] : BinaryPrimitives.ReadUInt16LittleEndian(frame[at..]);
                    BinaryPrimitives.WriteUInt16LittleEndian(frame[at..], (ushort)(value & storedMask));
                }
            }
        }
    }

    /// <summary>Clears the bits above High Bit of every sample, nothing else.</summary>
    public static void ClearAboveHighBit(Span<byte> frame, ImagePixelModule module)
    {
        int storedMask = (1 << module.BitsStored) - 1;
        if (module.BytesPerSample == 1)
        {
            foreach (ref byte sample in frame) sample &= (byte)storedMask;
            return;
        }
        for (int at = 0; at + 1 < frame.Length; at += 2)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(frame[at..], (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(frame[at..]) & storedMask));
        }
    }

    /// <summary>Stored sample values of black: minimum for MONOCHROME2, maximum for MONOCHROME1, zero luma with neutral chroma for YBR.</summary>
    private static int[] BlackSamples(ImagePixelModule module, int? paletteBlack)
    {
        int neutral = 1 << (module.BitsStored - 1);
        return module.Photometric switch
        {
            Photometric.Monochrome2 => [module.MinimumValue],
            Photometric.Monochrome1 => [module.MaximumValue],
            Photometric.PaletteColor => [paletteBlack ?? throw new ArgumentNullException(nameof(paletteBlack), "PALETTE COLOR needs its darkest entry.")],
            Photometric.Rgb => [0, 0, 0],
            _ => [0, neutral, neutral],
        };
    }

    /// <summary>YBR_FULL_422 (8-bit): each pair of pixels is Y0 Y1 Cb Cr; the mask is widened to whole pairs.</summary>
    private static void BlankPairs(Span<byte> frame, BlankMask mask, int storedMask)
    {
        for (int pair = 0; pair < frame.Length / 4; pair++)
        {
            int pixel = pair * 2;
            var quad = frame.Slice(pair * 4, 4);
            if (mask[pixel % mask.Columns, pixel / mask.Columns] || mask[(pixel + 1) % mask.Columns, (pixel + 1) / mask.Columns])
            {
                quad[0] = quad[1] = 0;
                quad[2] = quad[3] = 128;
            }
            for (int i = 0; i < 4; i++) quad[i] = (byte)(quad[i] & storedMask);
        }
    }
}

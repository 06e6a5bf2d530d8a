namespace CloudAnon.Pixels.Codecs;

/// <summary>How the pixel data of a transfer syntax is decoded here.</summary>
internal enum PixelEncodingKind
{
    Native,
    EncapsulatedUncompressed,
    Rle,
    Jpeg,
}

/// <summary>The transfer syntaxes whose pixels the cleaner decodes, and for every other one the reason it quarantines.</summary>
internal static class PixelEncoding
{
    public static PixelEncodingKind Classify(string transferSyntaxUid) => transferSyntaxUid switch
    {
        "1.2.840.10008.1.2" or "1.2.840.10008.1.2.1" or "1.2.840.10008.1.2.2" or "1.2.840.10008.1.2.1.99" => PixelEncodingKind.Native,
        "1.2.840.10008.1.2.1.98" => PixelEncodingKind.EncapsulatedUncompressed,
        RleCodec.TransferSyntaxUid => PixelEncodingKind.Rle,
        // Lossless process 14 (.57) is accepted when its scan uses predictor 1; the decoder checks.
        "1.2.840.10008.1.2.4.50" or "1.2.840.10008.1.2.4.51" or "1.2.840.10008.1.2.4.57" or "1.2.840.10008.1.2.4.70" => PixelEncodingKind.Jpeg,
        _ => throw new DeidentificationException(DeidentificationFailure.PixelEncodingUnsupported, UnsupportedReason(transferSyntaxUid)),
    };

    private static string UnsupportedReason(string uid) => uid switch
    {
        "1.2.840.10008.1.2.4.80" or "1.2.840.10008.1.2.4.81" => "JPEG-LS (" + uid + "): no served managed codec (CharLS is not on NuGet).",
        "1.2.840.10008.1.2.4.90" or "1.2.840.10008.1.2.4.91" or "1.2.840.10008.1.2.4.92" or "1.2.840.10008.1.2.4.93"
            => "JPEG 2000 (" + uid + "): no served codec decodes all bit depths exactly.",
        "1.2.840.10008.1.2.4.201" or "1.2.840.10008.1.2.4.202" or "1.2.840.10008.1.2.4.203" => "HTJ2K (" + uid + "): no served codec.",
        _ when uid.StartsWith("1.2.840.10008.1.2.4.10", StringComparison.Ordinal) => "MPEG-2/H.264/HEVC video (" + uid + "): no served codec.",
        _ when uid.StartsWith("1.2.840.10008.1.2.4.11", StringComparison.Ordinal) => "JPEG XL (" + uid + "): no served codec.",
        "1.2.840.10008.1.2.4.53" or "1.2.840.10008.1.2.4.55" => "JPEG progressive (" + uid + "): not decoded here.",
        _ => "Transfer syntax " + uid + ": pixel data not decoded here.",
    };
}

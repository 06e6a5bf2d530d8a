using System.Text;

namespace CloudAnon.Dicom.Text;

/// <summary>
/// Code-page encodings from <see cref="CodePagesEncodingProvider"/>, asked directly rather than registered with
/// <see cref="Encoding.RegisterProvider"/> so the codec changes no process-wide state. Works with
/// InvariantGlobalization: the provider's tables are managed code.
/// </summary>
internal static class CodePages
{
    /// <summary>Invalid bytes decode to U+FFFD; characters outside the code page encode to nothing (callers test for 0 bytes).</summary>
    public static Encoding Get(int codePage) => Get(codePage, new EncoderReplacementFallback(""));

    /// <summary>For whole-value encodings, where an unencodable character is detected by the exception.</summary>
    public static Encoding GetStrict(int codePage) => Get(codePage, EncoderFallback.ExceptionFallback);

    private static Encoding Get(int codePage, EncoderFallback encoderFallback)
    {
        var decoderFallback = new DecoderReplacementFallback("\uFFFD");
        return CodePagesEncodingProvider.Instance.GetEncoding(codePage, encoderFallback, decoderFallback)
            ?? Encoding.GetEncoding(codePage, encoderFallback, decoderFallback); // built-in ones (28591, 65001)
    }
}

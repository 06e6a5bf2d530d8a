namespace CloudAnon.Pixels;

/// <summary>Why the pixels of a file could not be examined or cleaned; the file must go to quarantine.</summary>
public enum PixelFailure
{
    /// <summary>The pixel data is in an encoding no served codec decodes (JPEG-LS, JPEG 2000, HTJ2K, video, …).</summary>
    UnsupportedEncoding,

    /// <summary>The image pixel attributes describe a layout that is not handled (1-bit, 32-bit, YBR_PARTIAL_420, …).</summary>
    UnsupportedLayout,

    /// <summary>The pixel data could not be decoded: malformed fragments, a corrupt codestream, a size mismatch.</summary>
    Undecodable,

    /// <summary>Decoding would need more memory than the configured limit.</summary>
    TooLarge,

    /// <summary>Detection did not finish within the time budget.</summary>
    TimeBudgetExceeded,

    /// <summary>Detect-only: text was found in the pixels.</summary>
    TextDetected,

    /// <summary>After blanking, the verification pass still found text outside the blanked regions.</summary>
    TextRemains,

    /// <summary>A compressed codestream could not be walked marker by marker, so metadata in it cannot be ruled out.</summary>
    MetadataUnwalkable,
}

/// <summary>The pixels could not be examined or cleaned completely. The message names tags, syntaxes and sizes only, never values.</summary>
public sealed class PixelDataException(PixelFailure failure, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public PixelFailure Failure { get; } = failure;
}

using System.Buffers;

namespace CloudAnon.Dicom.Text;

/// <summary>How one Specific Character Set turns value bytes into text and back, for character-set dependent VRs.</summary>
internal abstract class TextCodec
{
    /// <summary>True when ESC starts an ISO 2022 escape sequence rather than being a plain control character.</summary>
    public abstract bool InterpretsEscapes { get; }

    /// <summary>Never throws on bad bytes: they decode to U+FFFD.</summary>
    public abstract string Decode(ReadOnlySpan<byte> value, DicomVR vr);

    /// <summary>Writes the encoded text to <paramref name="output"/> (or only checks, when it is null); false if a character is outside the repertoire.</summary>
    public abstract bool TryEncode(ReadOnlySpan<char> text, DicomVR vr, IBufferWriter<byte>? output);
}

using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using CloudAnon.Dicom.Text;

namespace CloudAnon.Dicom;

/// <summary>
/// The text encoding declared by Specific Character Set (0008,0005): decodes and encodes the values of the
/// character-set dependent VRs (LO, LT, PN, SH, ST, UC, UT), including ISO 2022 code extensions (PS3.5 6.1).
/// Immutable and thread-safe. Decoding never throws; odd bytes become U+FFFD. Neither direction pads to even
/// length or strips padding: that is the reader's and the writer's job.
/// </summary>
public sealed class DicomCharacterSet
{
    private const byte Esc = 0x1B;

    private readonly TextCodec _decoder;
    private readonly TextCodec _encoder;

    private DicomCharacterSet(string[] terms, bool isRecognized, TextCodec codec)
    {
        Terms = terms;
        IsRecognized = isRecognized;
        _decoder = codec;
        // Text is never written in a repertoire we only guessed: an unrecognised set takes ASCII only.
        _encoder = isRecognized ? codec : CodeElementCodec.DefaultRepertoire;
    }

    /// <summary>The default repertoire (ISO-IR 6, ASCII), used when (0008,0005) is absent or empty.</summary>
    public static DicomCharacterSet Default { get; } = new([], isRecognized: true, CodeElementCodec.DefaultRepertoire);

    /// <summary>The values of (0008,0005) as given, trimmed of padding; empty for <see cref="Default"/>.</summary>
    public IReadOnlyList<string> Terms { get; }

    /// <summary>
    /// False when a term is unknown or the combination is not allowed (a multi-valued list with a term that is not
    /// "ISO 2022 IR n"). Such a set still decodes as well as it can (unknown terms are skipped; with none left, bytes
    /// ≥ 0x80 pass through as Latin-1) but encodes ASCII only; callers that must fail closed check this.
    /// </summary>
    public bool IsRecognized { get; }

    /// <param name="value">The raw text of (0008,0005): backslash-separated defined terms, possibly padded.</param>
    public static DicomCharacterSet FromSpecificCharacterSet(string? value)
    {
        string[] terms = string.IsNullOrEmpty(value) ? [] : value.Split('\\').Select(t => t.Trim(' ', '\0')).ToArray();
        if (terms.All(t => t.Length == 0)) return Default;

        bool recognized = true;
        var definitions = new List<DefinedTerm>(terms.Length);
        for (int i = 0; i < terms.Length; i++)
        {
            if (terms[i].Length == 0)
            {
                if (i == 0) definitions.Add(DefinedTerm.Iso2022Ir6);
            }
            else if (DefinedTerms.TryGet(terms[i], out DefinedTerm? definition)) definitions.Add(definition);
            else recognized = false;
        }

        if (definitions.Count == 0) return new DicomCharacterSet(terms, isRecognized: false, CodeElementCodec.DefaultRepertoire);

        if (definitions.Find(d => d.WholeValue is not null) is { WholeValue: { } wholeValue })
        {
            // UTF-8, GB18030 and GBK may not be combined with anything (PS3.3 C.12.1.1.2).
            return new DicomCharacterSet(terms, recognized && terms.Length == 1, wholeValue);
        }

        DefinedTerm first = definitions[0];
        CodeElement initialG0 = first.G0 is { IsDoubleByteG0: false } g0 ? g0 : CodeElement.Ascii;
        if (terms.Length == 1 && !first.IsCodeExtension)
        {
            return new DicomCharacterSet(terms, recognized, new CodeElementCodec(initialG0, first.G1, [], interpretsEscapes: false));
        }

        // Code extensions; a non-ISO 2022 term in a multi-valued list is read as its ISO 2022 twin.
        recognized &= definitions.All(d => d.IsCodeExtension);
        CodeElement[] designatable = definitions
            .SelectMany(d => new[] { d.G0, d.G1 })
            .OfType<CodeElement>()
            .Distinct()
            .ToArray();
        return new DicomCharacterSet(terms, recognized, new CodeElementCodec(initialG0, first.G1, designatable, interpretsEscapes: true));
    }

    /// <summary>
    /// Decodes one whole element value (all its backslash-separated values). VRs that do not depend on the character
    /// set decode as ASCII, with any byte ≥ 0x80 passed through as the Latin-1 character of the same number.
    /// </summary>
    public string Decode(ReadOnlySpan<byte> value, DicomVR vr)
    {
        if (!vr.IsCharacterSetDependent) return Encoding.Latin1.GetString(value);
        if (Ascii.IsValid(value) && !(_decoder.InterpretsEscapes && value.Contains(Esc))) return Encoding.ASCII.GetString(value);
        return _decoder.Decode(value, vr);
    }

    /// <summary>
    /// Encodes text in this set's repertoire, with the ISO 2022 escape sequences it needs; the bytes end in the
    /// initial code element. Throws <see cref="ArgumentException"/> (without quoting the text) if it does not fit.
    /// </summary>
    public byte[] Encode(string text, DicomVR vr) =>
        TryEncode(text, vr, out byte[]? bytes)
            ? bytes
            : throw new ArgumentException($"The text has characters outside the repertoire of Specific Character Set for VR {vr}.", nameof(text));

    /// <summary>
    /// False if a character is outside the repertoire: VRs that do not depend on the character set take ASCII
    /// only, and ESC is never written (ISO 2022 readers would take it for an escape sequence).
    /// </summary>
    public bool TryEncode(string text, DicomVR vr, [NotNullWhen(true)] out byte[]? bytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        bytes = null;
        if (IsPlainAscii(text))
        {
            bytes = Encoding.ASCII.GetBytes(text);
            return true;
        }
        if (!vr.IsCharacterSetDependent || text.Contains((char)Esc)) return false;

        var output = new ArrayBufferWriter<byte>(text.Length * 2 + 8);
        if (_encoder.TryEncode(text, vr, output)) bytes = output.WrittenSpan.ToArray();
        output.Clear(); // zeroes the buffer, which held PHI
        return bytes is not null;
    }

    /// <summary>Whether <paramref name="text"/> fits this set's repertoire as the value of a character-set dependent VR.</summary>
    public bool CanEncode(string text) => CanEncode(text, DicomVR.LO);

    /// <summary>Whether <paramref name="text"/> can be written as a value of <paramref name="vr"/>.</summary>
    public bool CanEncode(string text, DicomVR vr)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IsPlainAscii(text)) return true;
        return vr.IsCharacterSetDependent && !text.Contains((char)Esc) && _encoder.TryEncode(text, vr, output: null);
    }

    private static bool IsPlainAscii(string text) => Ascii.IsValid(text) && !text.Contains((char)Esc);

    /// <summary>The defined terms, backslash-separated; names of character sets only, never value content.</summary>
    public override string ToString() => string.Join('\\', Terms);
}

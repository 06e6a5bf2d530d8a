using System.Buffers;

namespace CloudAnon.Dicom.Text;

/// <summary>
/// Character sets made of code elements: the single-byte sets (G0 ASCII plus one G1 set) and, with
/// <c>interpretsEscapes</c>, ISO 2022 code extensions (PS3.5 6.1.2.5), where escape sequences switch G0 and G1.
/// </summary>
internal sealed class CodeElementCodec : TextCodec
{
    private const byte Esc = 0x1B;
    private const int StackChars = 256;

    private readonly CodeElement _initialG0;
    private readonly CodeElement? _initialG1;
    private readonly CodeElement[] _designatable;
    private readonly bool _interpretsEscapes;

    /// <param name="initialG0">Active at the start of each value and after each delimiter; single-byte.</param>
    /// <param name="initialG1">Likewise for G1; null means none, and bytes ≥ 0x80 then decode as Latin-1.</param>
    /// <param name="designatable">Elements the encoder may switch to, in the order of the defined terms.</param>
    public CodeElementCodec(CodeElement initialG0, CodeElement? initialG1, CodeElement[] designatable, bool interpretsEscapes)
    {
        if (initialG0.IsDoubleByteG0) throw new ArgumentException("The initial G0 element must be single-byte.", nameof(initialG0));
        _initialG0 = initialG0;
        _initialG1 = initialG1;
        _designatable = designatable;
        _interpretsEscapes = interpretsEscapes;
    }

    /// <summary>The default repertoire (ISO-IR 6) without code extensions.</summary>
    public static readonly CodeElementCodec DefaultRepertoire = new(CodeElement.Ascii, null, [], interpretsEscapes: false);

    public override bool InterpretsEscapes => _interpretsEscapes;

    public override string Decode(ReadOnlySpan<byte> value, DicomVR vr)
    {
        // Every byte yields at most one char (an escape sequence or a byte pair yields one), so value.Length bounds the text.
        char[]? rented = null;
        Span<char> chars = value.Length <= StackChars
            ? stackalloc char[StackChars]
            : (rented = ArrayPool<char>.Shared.Rent(value.Length));
        try
        {
            return new string(chars[..DecodeInto(value, vr, chars)]);
        }
        finally
        {
            if (rented is not null)
            {
                rented.AsSpan(0, value.Length).Clear(); // it held PHI
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private int DecodeInto(ReadOnlySpan<byte> value, DicomVR vr, Span<char> chars)
    {
        CodeElement g0 = _initialG0;
        CodeElement? g1 = _initialG1;
        int i = 0, n = 0;
        while (i < value.Length)
        {
            byte b = value[i];
            ReadOnlySpan<byte> rest = value[i..];
            if (b == Esc && _interpretsEscapes)
            {
                int length = EscapeSequenceLength(rest);
                CodeElement? designated = FindElement(rest[..length]);
                if (designated is null) chars[n++] = '\uFFFD'; // unknown or cut-off escape sequence
                else if (designated.DesignatesG1) g1 = designated;
                else g0 = designated;
                i += length;
            }
            else if (b >= 0x80)
            {
                int length = RunLength(rest.IndexOfAnyInRange((byte)0, (byte)0x7F), rest.Length);
                n += (g1 ?? CodeElement.Latin1).Decode(rest[..length], chars[n..]);
                i += length;
            }
            else if (g0.IsDoubleByteG0 && b is >= 0x21 and <= 0x7E)
            {
                int length = RunLength(rest.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E), rest.Length);
                n += g0.Decode(rest[..length], chars[n..]);
                i += length;
            }
            else
            {
                chars[n++] = (char)b; // G0 single-byte: ASCII (JIS X 0201 Romaji read as ASCII), or a control character
                if (ResetsCodeElements(b, vr))
                {
                    g0 = _initialG0;
                    g1 = _initialG1;
                }
                i++;
            }
        }
        return n;
    }

    public override bool TryEncode(ReadOnlySpan<char> text, DicomVR vr, IBufferWriter<byte>? output)
    {
        CodeElement g0 = _initialG0;
        CodeElement? g1 = _initialG1;
        Span<byte> bytes = stackalloc byte[CodeElement.MaxBytesPerChar];
        foreach (char c in text)
        {
            if (c < 0x80)
            {
                if (g0 != _initialG0) Designate(g0 = _initialG0, output); // PS3.5 6.1.2.5.3: back to the initial set before delimiters
                bytes[0] = (byte)c;
                output?.Write(bytes[..1]);
                if (ResetsCodeElements((byte)c, vr)) g1 = _initialG1;
                continue;
            }

            int count;
            if (g1 is not null && (count = g1.Encode(c, bytes)) > 0) { }
            else if (g0.IsDoubleByteG0 && (count = g0.Encode(c, bytes)) > 0) { }
            else
            {
                CodeElement? element = null;
                count = 0;
                foreach (CodeElement candidate in _designatable)
                {
                    if ((count = candidate.Encode(c, bytes)) > 0)
                    {
                        element = candidate;
                        break;
                    }
                }
                if (element is null) return false;
                Designate(element, output);
                if (element.DesignatesG1) g1 = element;
                else g0 = element;
            }
            output?.Write(bytes[..count]);
        }
        if (g0 != _initialG0) Designate(_initialG0, output); // and before the end of the value
        return true;
    }

    private static void Designate(CodeElement element, IBufferWriter<byte>? output) => output?.Write(element.Escape);

    /// <summary>
    /// PS3.5 6.1.2.5.3: the initial code elements are active again after control characters other than ESC
    /// (CR, LF, FF, TAB), after the value delimiter "\" (not in the single-valued LT, ST, UT, where it is text),
    /// and after the PN component delimiters "^" and "=".
    /// </summary>
    private static bool ResetsCodeElements(byte b, DicomVR vr) => b switch
    {
        < 0x20 => b != Esc,
        (byte)'\\' => vr != DicomVR.LT && vr != DicomVR.ST && vr != DicomVR.UT,
        (byte)'^' or (byte)'=' => vr == DicomVR.PN,
        _ => false,
    };

    /// <summary>ESC, intermediate bytes 0x20-0x2F, one final byte 0x30-0x7E; shorter when cut off.</summary>
    private static int EscapeSequenceLength(ReadOnlySpan<byte> bytes)
    {
        int i = 1;
        while (i < bytes.Length && bytes[i] is >= 0x20 and <= 0x2F) i++;
        return i < bytes.Length && bytes[i] is >= 0x30 and <= 0x7E ? i + 1 : i;
    }

    private static CodeElement? FindElement(ReadOnlySpan<byte> escape)
    {
        foreach (CodeElement element in CodeElement.All)
        {
            if (escape.SequenceEqual(element.Escape)) return element;
        }
        return null;
    }

    private static int RunLength(int indexOfEnd, int available) => indexOfEnd < 0 ? available : indexOfEnd;
}

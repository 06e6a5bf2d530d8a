using System.Text;

namespace CloudAnon.Dicom.Text;

/// <summary>
/// One ISO 2022 code element (PS3.3 Table C.12-3/C.12-4): a graphic character set that an escape sequence
/// designates into G0 (bytes 0x21-0x7E) or G1 (bytes 0xA0-0xFF).
/// </summary>
internal abstract class CodeElement(string name, byte[] escape, bool designatesG1)
{
    /// <summary>Upper bound of the bytes <see cref="Encode"/> writes for one character.</summary>
    public const int MaxBytesPerChar = 2;

    /// <summary>The escape sequence, ESC included, that designates this element.</summary>
    public ReadOnlySpan<byte> Escape => escape;

    public bool DesignatesG1 { get; } = designatesG1;

    /// <summary>G0 elements that take two bytes per character; their bytes collide with ASCII delimiters.</summary>
    public virtual bool IsDoubleByteG0 => false;

    /// <summary>Decodes a run of bytes that belong to this element; writes at most one char per byte.</summary>
    public abstract int Decode(ReadOnlySpan<byte> run, Span<char> destination);

    /// <summary>Writes the bytes of <paramref name="c"/> in this element, or returns 0 if it is not in the repertoire.</summary>
    public abstract int Encode(char c, Span<byte> destination);

    /// <summary>The ISO-IR registration name.</summary>
    public override string ToString() => name;

    public static readonly CodeElement Ascii = new SingleByteG0("ISO-IR 6", "\e(B"u8.ToArray());

    /// <summary>
    /// JIS X 0201 Romaji differs from ASCII only at 0x5C (YEN SIGN) and 0x7E (OVERLINE). It is read and written as
    /// ASCII, as pydicom and most DICOM toolkits do, so that 0x5C stays the value delimiter.
    /// </summary>
    public static readonly CodeElement JisRomaji = new SingleByteG0("ISO-IR 14", "\e(J"u8.ToArray());

    public static readonly CodeElement Latin1 = SingleByteG1.FromCodePage("ISO-IR 100", "\e-A"u8, 28591);
    public static readonly CodeElement Latin2 = SingleByteG1.FromCodePage("ISO-IR 101", "\e-B"u8, 28592);
    public static readonly CodeElement Latin3 = SingleByteG1.FromCodePage("ISO-IR 109", "\e-C"u8, 28593);
    public static readonly CodeElement Latin4 = SingleByteG1.FromCodePage("ISO-IR 110", "\e-D"u8, 28594);
    public static readonly CodeElement Cyrillic = SingleByteG1.FromCodePage("ISO-IR 144", "\e-L"u8, 28595);
    public static readonly CodeElement Arabic = SingleByteG1.FromCodePage("ISO-IR 127", "\e-G"u8, 28596);
    public static readonly CodeElement Greek = SingleByteG1.FromCodePage("ISO-IR 126", "\e-F"u8, 28597);
    public static readonly CodeElement Hebrew = SingleByteG1.FromCodePage("ISO-IR 138", "\e-H"u8, 28598);
    public static readonly CodeElement Latin5 = SingleByteG1.FromCodePage("ISO-IR 148", "\e-M"u8, 28599);
    public static readonly CodeElement Latin9 = SingleByteG1.FromCodePage("ISO-IR 203", "\e-b"u8, 28605);

    /// <summary>TIS 620-2533 through windows-874, its superset (.NET has no iso-8859-11); only 0xA0-0xFF is written.</summary>
    public static readonly CodeElement Thai = SingleByteG1.FromCodePage("ISO-IR 166", "\e-T"u8, 874);

    /// <summary>JIS X 0201 half-width katakana: 0xA1-0xDF map one to one onto U+FF61-U+FF9F.</summary>
    public static readonly CodeElement JisKatakana = SingleByteG1.FromTable("ISO-IR 13", "\e)I"u8,
        b => b is >= 0xA1 and <= 0xDF ? (char)(0xFF61 + b - 0xA1) : '\uFFFD');

    /// <summary>JIS X 0208 through EUC-JP (20932): both bytes with the high bit set.</summary>
    public static readonly CodeElement JisX0208 = new DoubleByteG0("ISO-IR 87", "\e$B"u8.ToArray(), trailHighBit: 0x80);

    /// <summary>JIS X 0212 through code page 20932, which writes it as a high lead byte and a 7-bit trail byte.</summary>
    public static readonly CodeElement JisX0212 = new DoubleByteG0("ISO-IR 159", "\e$(D"u8.ToArray(), trailHighBit: 0);

    /// <summary>KS X 1001 in G1, i.e. EUC-KR (51949).</summary>
    public static readonly CodeElement KsX1001 = new DoubleByteG1("ISO-IR 149", "\e$)C"u8.ToArray(), 51949);

    /// <summary>GB 2312 in G1, i.e. EUC-CN (20936, strict GB 2312 without the GBK extensions).</summary>
    public static readonly CodeElement Gb2312 = new DoubleByteG1("ISO-IR 58", "\e$)A"u8.ToArray(), 20936);

    /// <summary>Every element this codec knows, for recognising escape sequences while decoding.</summary>
    public static readonly CodeElement[] All =
    [
        Ascii, JisRomaji, Latin1, Latin2, Latin3, Latin4, Cyrillic, Arabic, Greek, Hebrew, Latin5, Latin9, Thai,
        JisKatakana, JisX0208, JisX0212, KsX1001, Gb2312,
    ];

    private sealed class SingleByteG0(string name, byte[] escape) : CodeElement(name, escape, designatesG1: false)
    {
        public override int Decode(ReadOnlySpan<byte> run, Span<char> destination) =>
            Encoding.Latin1.GetChars(run, destination);

        public override int Encode(char c, Span<byte> destination)
        {
            if (c >= 0x80) return 0;
            destination[0] = (byte)c;
            return 1;
        }
    }

    /// <summary>A 96-character set in G1, table driven: byte 0x80 + i decodes to <c>_chars[i]</c>.</summary>
    private sealed class SingleByteG1(string name, byte[] escape, char[] chars) : CodeElement(name, escape, designatesG1: true)
    {
        // Only the GR graphic range 0xA0-0xFF is written; 0x80-0x9F are C1 controls (or windows-874 extras).
        private const int FirstWritten = 0x20;

        /// <summary>Bytes the code page maps into the Private Use Area (windows-874 does, for 0xDB-0xDE, 0xFC-0xFF) are undefined.</summary>
        public static SingleByteG1 FromCodePage(string name, ReadOnlySpan<byte> escape, int codePage)
        {
            char[] chars = CodePages.Get(codePage).GetChars(HighBytes);
            for (int i = 0; i < chars.Length; i++)
            {
                if (char.IsBetween(chars[i], '\uE000', '\uF8FF')) chars[i] = '\uFFFD';
            }
            return new SingleByteG1(name, escape.ToArray(), chars);
        }

        private static readonly byte[] HighBytes = Enumerable.Range(0x80, 128).Select(b => (byte)b).ToArray();

        public static SingleByteG1 FromTable(string name, ReadOnlySpan<byte> escape, Func<byte, char> map) =>
            new(name, escape.ToArray(), Enumerable.Range(0x80, 128).Select(b => map((byte)b)).ToArray());

        public override int Decode(ReadOnlySpan<byte> run, Span<char> destination)
        {
            for (int i = 0; i < run.Length; i++) destination[i] = chars[run[i] - 0x80];
            return run.Length;
        }

        public override int Encode(char c, Span<byte> destination)
        {
            int index = c == '\uFFFD' ? -1 : chars.AsSpan(FirstWritten).IndexOf(c); // 96 chars: a vectorised scan
            if (index < 0) return 0;
            destination[0] = (byte)(0x80 + FirstWritten + index);
            return 1;
        }
    }

    /// <summary>A 94×94 set in G0, decoded by mapping each byte pair onto code page 20932 (EUC-JP).</summary>
    private sealed class DoubleByteG0(string name, byte[] escape, byte trailHighBit) : CodeElement(name, escape, designatesG1: false)
    {
        private const int ChunkBytes = 256; // even, so a chunk never splits a byte pair
        private static readonly Encoding EucJp = CodePages.Get(20932);

        public override bool IsDoubleByteG0 => true;

        public override int Decode(ReadOnlySpan<byte> run, Span<char> destination)
        {
            Span<byte> euc = stackalloc byte[ChunkBytes];
            int written = 0;
            for (int start = 0; start < run.Length; start += ChunkBytes)
            {
                ReadOnlySpan<byte> chunk = run.Slice(start, Math.Min(ChunkBytes, run.Length - start));
                for (int i = 0; i < chunk.Length; i++)
                    euc[i] = (byte)(chunk[i] | ((i & 1) == 0 ? 0x80 : trailHighBit));
                written += EucJp.GetChars(euc[..chunk.Length], destination[written..]);
            }
            return written;
        }

        public override int Encode(char c, Span<byte> destination)
        {
            Span<byte> euc = stackalloc byte[4];
            if (EucJp.GetBytes([c], euc) != 2 || euc[0] < 0xA1 || (euc[1] & 0x80) != trailHighBit) return 0;
            destination[0] = (byte)(euc[0] & 0x7F);
            destination[1] = (byte)(euc[1] & 0x7F);
            return 2;
        }
    }

    /// <summary>A 94×94 set in G1: the bytes are the code page's own EUC bytes.</summary>
    private sealed class DoubleByteG1(string name, byte[] escape, int codePage) : CodeElement(name, escape, designatesG1: true)
    {
        private readonly Encoding _encoding = CodePages.Get(codePage);

        public override int Decode(ReadOnlySpan<byte> run, Span<char> destination) =>
            _encoding.GetChars(run, destination);

        public override int Encode(char c, Span<byte> destination)
        {
            Span<byte> euc = stackalloc byte[4];
            if (_encoding.GetBytes([c], euc) != 2 || euc[0] < 0xA1 || euc[1] < 0xA1) return 0;
            euc[..2].CopyTo(destination);
            return 2;
        }
    }
}

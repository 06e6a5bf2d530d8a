namespace CloudAnon.Dicom;

/// <summary>A value representation (PS3.5 6.2), held as its two ASCII characters.</summary>
public readonly record struct DicomVR
{
    private readonly ushort _code;

    private DicomVR(char first, char second) => _code = (ushort)((first << 8) | second);

    /// <summary>The VR whose two code bytes are given, or false if they are not a VR of PS3.5.</summary>
    public static bool TryParse(byte first, byte second, out DicomVR vr)
    {
        vr = new DicomVR((char)first, (char)second);
        return Known.Contains(vr);
    }

    public static bool TryParse(ReadOnlySpan<char> text, out DicomVR vr)
    {
        vr = default;
        return text.Length == 2 && text[0] < 128 && text[1] < 128 && TryParse((byte)text[0], (byte)text[1], out vr);
    }

    public byte FirstByte => (byte)(_code >> 8);
    public byte SecondByte => (byte)_code;

    /// <summary>Explicit VR encodings give these VRs a 2-byte reserved field and a 4-byte length (PS3.5 Table 7.1-1).</summary>
    public bool HasLongExplicitLength => Is(OB, OD, OF, OL, OV, OW, SQ, SV, UC, UN, UR, UT, UV);

    /// <summary>Character-string VRs, whose values are text padded to even length.</summary>
    public bool IsString => Is(AE, AS, CS, DA, DS, DT, IS, LO, LT, PN, SH, ST, TM, UC, UI, UR, UT);

    /// <summary>String VRs whose text depends on Specific Character Set (0008,0005).</summary>
    public bool IsCharacterSetDependent => Is(LO, LT, PN, SH, ST, UC, UT);

    /// <summary>Byte size of the numbers a value is made of, for byte swapping; 1 for text and bytes.</summary>
    public int UnitSize => this switch
    {
        _ when Is(AT, OW, SS, US) => 2,
        _ when Is(FL, OF, OL, SL, UL) => 4,
        _ when Is(FD, OD, OV, SV, UV) => 8,
        _ => 1,
    };

    /// <summary>UI and OB values are padded with NUL, other strings with a space.</summary>
    public byte PaddingByte => Is(UI, OB, UN) ? (byte)0 : (byte)' ';

    private bool Is(params ReadOnlySpan<DicomVR> vrs) => vrs.Contains(this);

    public override string ToString() => _code == 0 ? "??" : string.Create(2, _code, static (s, c) => { s[0] = (char)(c >> 8); s[1] = (char)(byte)c; });

    public static readonly DicomVR AE = new('A', 'E'), AS = new('A', 'S'), AT = new('A', 'T'), CS = new('C', 'S'),
        DA = new('D', 'A'), DS = new('D', 'S'), DT = new('D', 'T'), FD = new('F', 'D'), FL = new('F', 'L'),
        IS = new('I', 'S'), LO = new('L', 'O'), LT = new('L', 'T'), OB = new('O', 'B'), OD = new('O', 'D'),
        OF = new('O', 'F'), OL = new('O', 'L'), OV = new('O', 'V'), OW = new('O', 'W'), PN = new('P', 'N'),
        SH = new('S', 'H'), SL = new('S', 'L'), SQ = new('S', 'Q'), SS = new('S', 'S'), ST = new('S', 'T'),
        SV = new('S', 'V'), TM = new('T', 'M'), UC = new('U', 'C'), UI = new('U', 'I'), UL = new('U', 'L'),
        UN = new('U', 'N'), UR = new('U', 'R'), US = new('U', 'S'), UT = new('U', 'T'), UV = new('U', 'V');

    private static readonly HashSet<DicomVR> Known =
    [
        AE, AS, AT, CS, DA, DS, DT, FD, FL, IS, LO, LT, OB, OD, OF, OL, OV, OW, PN,
        SH, SL, SQ, SS, ST, SV, TM, UC, UI, UL, UN, UR, US, UT, UV,
    ];
}

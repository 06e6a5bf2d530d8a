using CloudAnon.Dicom;

namespace CloudAnon.Core.Engine;

/// <summary>
/// Whether a UN value is well-formed for the VR the dictionary gives its tag: binary values fill whole units, and the
/// VRs with a fixed repertoire (UI, DA, TM, DT, AS, DS, IS, CS, AE) hold only its characters. Free text (LO, SH, PN, LT,
/// ST, UT, UC, UR) always parses; it is decoded with the data set's character set. Long values are judged by length.
/// </summary>
internal static class UnknownValueFormat
{
    public static bool Parses(DicomValueElement value, DicomVR vr)
    {
        if (!vr.IsString) return value.Length % vr.UnitSize == 0;
        if (value.Bulk is not null) return true;
        var bytes = value.Bytes.Span;
        foreach (byte b in bytes)
        {
            if (b is (byte)'\\' or (byte)' ' or 0) continue;
            if (!Allowed(vr, (char)b)) return false;
        }
        return true;
    }

    private static bool Allowed(DicomVR vr, char c) => vr switch
    {
        _ when vr == DicomVR.UI => char.IsAsciiDigit(c) || c == '.',
        _ when vr == DicomVR.DA => char.IsAsciiDigit(c) || c is '-' or '.',
        _ when vr == DicomVR.TM => char.IsAsciiDigit(c) || c is '.' or ':' or '-',
        _ when vr == DicomVR.DT => char.IsAsciiDigit(c) || c is '.' or '+' or '-',
        _ when vr == DicomVR.AS => char.IsAsciiDigit(c) || c is 'D' or 'W' or 'M' or 'Y',
        _ when vr == DicomVR.DS => char.IsAsciiDigit(c) || c is '+' or '-' or '.' or 'e' or 'E',
        _ when vr == DicomVR.IS => char.IsAsciiDigit(c) || c is '+' or '-',
        _ when vr == DicomVR.CS => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_',
        _ when vr == DicomVR.AE => c is >= ' ' and < (char)0x7F,
        _ => true,
    };
}

using CloudAnon.Dicom;

namespace CloudAnon.Core.Engine;

/// <summary>Replacement values valid for each VR (PS3.15 E.1.1 "D": a non-zero-length dummy value consistent with the VR).</summary>
internal static class DummyValues
{
    public static DicomValueElement For(DicomTag tag, DicomVR vr) => vr switch
    {
        _ when vr == DicomVR.DA => Text(tag, vr, "19000101"),
        _ when vr == DicomVR.TM => Text(tag, vr, "000000.00"),
        _ when vr == DicomVR.DT => Text(tag, vr, "19000101000000.000000"),
        _ when vr == DicomVR.AS => Text(tag, vr, "000Y"),
        _ when vr == DicomVR.DS || vr == DicomVR.IS => Text(tag, vr, "0"),
        _ when vr == DicomVR.CS || vr == DicomVR.AE || vr == DicomVR.SH => Text(tag, vr, "ANONYMIZED"),
        _ when vr == DicomVR.UR => Text(tag, vr, "urn:anonymized"),
        _ when vr == DicomVR.UI => Text(tag, vr, "2.25.0"),
        _ when vr.IsString => Text(tag, vr, "ANONYMIZED"),
        _ => new DicomValueElement(tag, vr, new byte[Math.Max(vr.UnitSize, 2)]),
    };

    public static DicomValueElement Empty(DicomTag tag, DicomVR vr) => new(tag, vr, ReadOnlyMemory<byte>.Empty);

    public static DicomValueElement Text(DicomTag tag, DicomVR vr, string value) => DicomValueElement.FromString(tag, vr, value);
}

namespace CloudAnon.Dicom;

/// <summary>CloudAnon as a DICOM implementation: what its File Meta Information and its associations name it.</summary>
public static class DicomImplementation
{
    /// <summary>The implementation class UID (a fixed 2.25 UUID-derived UID).</summary>
    public const string ClassUid = "2.25.154862196214813829512738011447367950170";

    /// <summary>The implementation version name (SH, at most 16 characters).</summary>
    public const string VersionName = "CLOUDANON";
}

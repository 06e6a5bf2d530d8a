namespace CloudAnon.Dicom;

/// <summary>The one check of "is this a UID" (PS3.5 9.1), and the one rule that turns an instance's UIDs into a path.</summary>
public static class DicomUid
{
    /// <summary>PS3.5 9.1: a UID has at most 64 characters.</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// Components of digits separated by single dots, none empty, at most <paramref name="maxLength"/> characters.
    /// A leading zero in a component, which PS3.5 forbids but real files carry, is accepted: a UID read from a file is
    /// what it is (<c>UidRoot</c> refuses them in roots that new UIDs are made under).
    /// </summary>
    public static bool IsValid(string? uid, int maxLength = MaxLength) =>
        uid is { Length: > 0 } && uid.Length <= maxLength && uid.Split('.').All(component => component.Length > 0 && component.All(char.IsAsciiDigit));

    /// <summary>
    /// <c>{Study}/{Series}/{SOP Instance}.dcm</c>: where an instance is written by its (de-identified) UIDs, in egress and
    /// under <c>cloudanon --rename-by-uid</c>. False when any is not a UID: such a value must never become a path.
    /// </summary>
    public static bool TryGetInstancePath(string studyInstanceUid, string seriesInstanceUid, string sopInstanceUid, out string path)
    {
        bool valid = IsValid(studyInstanceUid) && IsValid(seriesInstanceUid) && IsValid(sopInstanceUid);
        path = valid ? $"{studyInstanceUid}/{seriesInstanceUid}/{sopInstanceUid}.dcm" : "";
        return valid;
    }
}

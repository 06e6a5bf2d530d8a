using CloudAnon.Dicom;

namespace CloudAnon.Core;

/// <summary>
/// The one rule for a root of new UIDs (the RootUid setting, the CLI's --root-uid/--uid-root, <see cref="DeidentificationOptions.UidRoot"/>):
/// digits and dots, components without leading zeros, and short enough to leave the engine room for its suffix.
/// </summary>
public static class UidRoot
{
    /// <summary>A UID has at most 64 characters; a 40-character root leaves a dot and 23 digits (over 76 bits) for the suffix.</summary>
    public const int MaxLength = 40;

    /// <summary>The rule in words, for error messages.</summary>
    public static readonly string Rule = $"digits and dots, components without leading zeros, at most {MaxLength} characters";

    /// <summary>A UID (<see cref="DicomUid.IsValid"/>) of at most <see cref="MaxLength"/> characters, without the leading zeros PS3.5 forbids.</summary>
    public static bool IsValid(string? root) =>
        DicomUid.IsValid(root, MaxLength) && root!.Split('.').All(component => component.Length == 1 || component[0] != '0');
}

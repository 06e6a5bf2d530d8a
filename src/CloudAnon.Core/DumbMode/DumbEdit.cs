using System.Globalization;
using CloudAnon.Dicom;

namespace CloudAnon.Core.DumbMode;

/// <summary>What a dumb-mode edit does to one attribute, as gdcmanon's <c>--empty --clear --remove --replace</c>.</summary>
public enum DumbAction
{
    /// <summary>Make the value empty; insert the attribute empty when it is absent.</summary>
    Empty,

    /// <summary>Make the value empty only when the attribute is present.</summary>
    Clear,

    /// <summary>Remove the attribute when present.</summary>
    Remove,

    /// <summary>Set a text value, inserting the attribute when it is absent.</summary>
    Replace,
}

/// <summary>
/// The attribute an edit addresses: a public tag, or a private attribute named by its group, its element byte
/// (gggg,xxEE → EE) and its private creator, resolved through the creator's block in each data set.
/// </summary>
public readonly record struct DumbTarget(ushort Group, ushort Element, string? Creator)
{
    public bool IsPrivate => Creator is not null;

    public override string ToString() => IsPrivate
        ? string.Create(CultureInfo.InvariantCulture, $"({Group:X4},xx{(byte)Element:X2},{Creator})")
        : new DicomTag(Group, Element).ToString();

    /// <summary>Parses gdcmanon's "g,e" or "g,e,creator" (hex numbers of up to four digits).</summary>
    public static bool TryParse(string text, out DumbTarget target)
    {
        target = default;
        string[] parts = text.Split(',', 3);
        if (parts.Length < 2 || !TryParseHex(parts[0], out ushort group) || !TryParseHex(parts[1], out ushort element)) return false;
        string? creator = parts.Length == 3 ? parts[2].Trim() : null;
        if (creator is { Length: 0 }) return false;
        // A creator addresses a private attribute: it needs an odd group above 0007 (PS3.5 7.8).
        if (creator is not null && !new DicomTag(group, 0x1000).IsPrivate) return false;
        target = new DumbTarget(group, element, creator);
        return true;
    }

    private static bool TryParseHex(string text, out ushort value) =>
        ushort.TryParse(text.Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
}

/// <summary>One dumb-mode edit: an action on a target, with the new value for <see cref="DumbAction.Replace"/>.</summary>
public sealed record DumbEdit(DumbAction Action, DumbTarget Target, string? Value = null)
{
    /// <summary>
    /// Parses the argument of gdcmanon's option for <paramref name="action"/>: "g,e" or "g,e,creator"; for replace
    /// "g,e=value", "g,e,creator=value" or "g,e,value".
    /// </summary>
    public static bool TryParse(DumbAction action, string argument, out DumbEdit? edit)
    {
        edit = null;
        string targetText = argument;
        string? value = null;
        if (action == DumbAction.Replace)
        {
            int equals = argument.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                (targetText, value) = (argument[..equals], argument[(equals + 1)..]);
            }
            else
            {
                // gdcmanon's man page form "g,e,value": the third part is the value, not a creator.
                string[] parts = argument.Split(',', 3);
                if (parts.Length != 3) return false;
                (targetText, value) = ($"{parts[0]},{parts[1]}", parts[2]);
            }
        }
        if (!DumbTarget.TryParse(targetText, out var target)) return false;
        // Group 0002 belongs to the File Meta Information, which dumb mode leaves alone.
        if (target.Group == 0x0002) return false;
        edit = new DumbEdit(action, target, value);
        return true;
    }
}

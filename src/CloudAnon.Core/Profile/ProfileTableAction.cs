namespace CloudAnon.Core.Profile;

/// <summary>The action codes of PS3.15 E.1.1; a cell such as X/Z/D holds several, the choice depending on the IOD.</summary>
[Flags]
public enum ProfileActionCodes : byte
{
    None = 0,
    /// <summary>X: remove.</summary>
    Remove = 1,
    /// <summary>Z: replace with a zero-length value, or a dummy value consistent with the VR.</summary>
    Zero = 2,
    /// <summary>D: replace with a non-zero-length dummy value consistent with the VR.</summary>
    Dummy = 4,
    /// <summary>K: keep (unchanged for non-sequences; sequences are cleaned item by item).</summary>
    Keep = 8,
    /// <summary>C: clean, i.e. replace identifying information with values of similar meaning.</summary>
    Clean = 16,
    /// <summary>U: replace with a non-zero-length UID, consistent within the set of instances.</summary>
    ReplaceUid = 32,
}

/// <summary>
/// One cell of Table E.1-1, e.g. "X/Z/D": X unless Z or D is needed for the IOD (Type 3 / 2 / 1). The codes keep the
/// combination; the engine chooses by the attribute's type in the IOD. <see cref="None"/> is a blank cell.
/// </summary>
public readonly record struct ProfileAction(ProfileActionCodes Codes)
{
    public static readonly ProfileAction None = new(ProfileActionCodes.None);
    public static readonly ProfileAction Keep = new(ProfileActionCodes.Keep);
    public static readonly ProfileAction Clean = new(ProfileActionCodes.Clean);

    public bool IsNone => Codes == ProfileActionCodes.None;

    /// <summary>Several codes, as in X/Z or X/Z/U*.</summary>
    public bool IsCombination => (Codes & (Codes - 1)) != 0;

    public bool Has(ProfileActionCodes code) => (Codes & code) == code;

    // Cell order of the standard: X, Z, D, K, C, U.
    private static readonly (char Letter, ProfileActionCodes Code)[] Letters =
    [
        ('X', ProfileActionCodes.Remove), ('Z', ProfileActionCodes.Zero), ('D', ProfileActionCodes.Dummy),
        ('K', ProfileActionCodes.Keep), ('C', ProfileActionCodes.Clean), ('U', ProfileActionCodes.ReplaceUid),
    ];

    /// <summary>Parses a cell: "" is <see cref="None"/>; codes are separated by '/'; "U*" (in X/Z/U*) is U.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out ProfileAction action)
    {
        action = None;
        if (text.IsEmpty) return true;
        var codes = ProfileActionCodes.None;
        foreach (var range in text.Split('/'))
        {
            var part = text[range];
            if (part is "U*") part = "U";
            char letter = part.Length == 1 ? part[0] : '\0';
            int index = Array.FindIndex(Letters, l => l.Letter == letter);
            if (index < 0 || (codes & Letters[index].Code) != 0) return false;
            codes |= Letters[index].Code;
        }
        action = new ProfileAction(codes);
        return true;
    }

    /// <summary>The cell text of the standard, e.g. "X/Z/D", and "X/Z/U*" where U is combined; "" for a blank cell.</summary>
    public override string ToString()
    {
        var codes = Codes;
        string text = string.Join('/', Letters.Where(l => (codes & l.Code) != 0).Select(l => l.Letter));
        return IsCombination && Has(ProfileActionCodes.ReplaceUid) ? text + "*" : text;
    }
}

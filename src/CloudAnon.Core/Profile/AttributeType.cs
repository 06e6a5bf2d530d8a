namespace CloudAnon.Core.Profile;

/// <summary>
/// The type of an attribute in an IOD (PS3.5 7.4), strongest first: a lower value is the stronger requirement,
/// 1 &gt; 1C &gt; 2 &gt; 2C &gt; 3.
/// </summary>
public enum AttributeType : byte
{
    /// <summary>Required, with a value.</summary>
    Type1,
    /// <summary>Required with a value under a condition.</summary>
    Type1C,
    /// <summary>Required, possibly empty.</summary>
    Type2,
    /// <summary>Required, possibly empty, under a condition.</summary>
    Type2C,
    /// <summary>Optional.</summary>
    Type3,
}

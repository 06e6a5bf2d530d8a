using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;

namespace CloudAnon.Core.Engine;

/// <summary>New UIDs: 2.25.&lt;random 128-bit integer&gt; (PS3.5 B.2), or a random suffix under a configured root.</summary>
internal static class UidGenerator
{
    private const int MaxUidLength = 64;

    public static string NewUid(string? root)
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        var number = new BigInteger(random, isUnsigned: true);
        if (root is null) return "2.25." + number.ToString(CultureInfo.InvariantCulture);
        string suffix = number.ToString(CultureInfo.InvariantCulture);
        int room = MaxUidLength - root.Length - 1;
        // A component must not start with 0; the random digits are trimmed to fit 64 characters.
        suffix = suffix[..Math.Min(suffix.Length, room)].TrimStart('0');
        return root + "." + (suffix.Length == 0 ? "1" : suffix);
    }

    /// <summary>UIDs defined by the standard (SOP classes, transfer syntaxes, coding schemes, …) identify no one and are never replaced.</summary>
    public static bool IsWellKnown(string uid) => uid.StartsWith("1.2.840.10008.", StringComparison.Ordinal);
}

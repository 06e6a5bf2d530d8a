using System.Net;

namespace CloudAnon.Network;

/// <summary>A sender the gateway accepts: a calling AE title, and optionally the only address it may connect from.</summary>
public sealed record CallingAeRule(string AeTitle, IPAddress? Address)
{
    public const string Rule = "AE or AE@address: an AE title of 1 to 16 characters (no backslash or control characters), optionally with an IPv4 or IPv6 address";

    /// <summary>Parses <c>AE</c> or <c>AE@address</c>.</summary>
    public static bool TryParse(string text, out CallingAeRule rule)
    {
        rule = null!;
        int at = text.LastIndexOf('@');
        string ae = at < 0 ? text : text[..at];
        IPAddress? address = null;
        if (at >= 0 && !IPAddress.TryParse(text[(at + 1)..], out address)) return false;
        if (!IsAeTitle(ae)) return false;
        rule = new CallingAeRule(ae, address);
        return true;
    }

    /// <summary>PS3.5 AE: at most 16 characters of the default repertoire, no backslash or control characters, not all spaces.</summary>
    public static bool IsAeTitle(string ae) =>
        ae.Trim(' ').Length is >= 1 and <= 16 && ae.Length <= 16 && ae.All(c => c is >= ' ' and <= '~' and not '\\');

    public bool Matches(string callingAe, IPAddress remote) =>
        callingAe == AeTitle.Trim(' ') && (Address is null || Address.Equals(Normalize(remote)));

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
